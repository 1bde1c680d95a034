"""Fixtures shared by the test modules: a throwaway PostgreSQL server (``tests/pg.py``)."""

from tests.pg import pg_url, postgres

__all__ = ["pg_url", "postgres"]
