"""Seeded demo data: the roster, disputes and roster-selection files bundled with the project."""
