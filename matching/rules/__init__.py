"""The hard rules and the scores: the plain checker, the encoder to arrays, and the kernel."""
