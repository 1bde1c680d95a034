"""Panel matcher for an international mediation organisation.

The library builds mediator panels with a CP-SAT model, checks panels against the hard rules,
scores them, explains them and writes the results. User interfaces (the command line in
``matching.cli.main`` and the Streamlit app in ``app.py``) call the library; the library never
imports a user interface.
"""

__version__ = "0.1.0"
