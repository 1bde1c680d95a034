"""One dispute's panels: the CP-SAT model, candidates, diagnosis, explanations and trade-offs."""
