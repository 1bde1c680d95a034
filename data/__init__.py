"""The bundled data: reference tables, rule sets, demo inputs and the demo generator's tables.

This folder is the top-level ``data/`` of the checkout; the build installs it as the package
``matching.data`` (see ``pyproject.toml``). Read it through ``matching.core.paths``.
"""
