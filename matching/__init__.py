"""Panel matcher for an international mediation organisation.

The library builds mediator panels with a CP-SAT model, checks panels against the hard rules,
scores them, explains them and writes the results. User interfaces (the command line in
``matching.cli.main`` and the Streamlit app in ``app.py``) call the library; the library never
imports a user interface.
"""

import logging

__version__ = "0.1.0"

# A library logs but leaves the output to its user (the command line sets it from MATCHING_LOG_LEVEL).
logging.getLogger(__name__).addHandler(logging.NullHandler())
