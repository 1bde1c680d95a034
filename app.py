"""Streamlit entry: ``streamlit run app.py``.

The registrar's page (candidate panels for one dispute, with the reasons and the trade-offs) and
the data page (the validated roster and disputes). Pages live in ``ui/``; they call the library
only and never build a solver model themselves.
"""

import streamlit as st

st.set_page_config(page_title="Panel matcher", page_icon="⚖️", layout="wide")
navigation = st.navigation(
    [
        st.Page("ui/registrar.py", title="Candidate panels", default=True),
        st.Page("ui/data.py", title="Roster and disputes"),
    ]
)
navigation.run()
