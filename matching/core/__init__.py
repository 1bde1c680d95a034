"""Core types every layer shares: the domain, errors, solver settings and locks, progress, paths."""
