"""The command line, ``python -m matching``: one module per group of commands."""
