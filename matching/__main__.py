"""Entry point for ``python -m matching``."""

from matching.cli.main import main

if __name__ == "__main__":
    main()
