"""Streamlit entry: ``streamlit run app.py``.

Four pages, in ``ui/``: candidate panels for one dispute (the registrar's page), the data in use
(upload, check, browse), the neutrality review of recorded decisions, and batch runs. Pages call
the library only and never build a solver model themselves. Recorded decisions go to the
decisions store (``matching.records.store``: ``var/decisions.sqlite``, or ``DATABASE_URL``).

Errors the library raises on purpose are shown by the pages in plain words; anything else is
caught here, logged for the maintainers and shown as one plain sentence, never a stack trace.
"""

import logging

import streamlit as st

from ui.common import NAME_KEY, data_label

st.set_page_config(page_title="IOMed panel matcher", page_icon="⚖️", layout="wide")

with st.sidebar:
    st.text_input(
        "Your name",
        key=NAME_KEY,
        placeholder="for the record",
        help="Recorded with every decision you make, with the date and time.",
    )
    data_slot = st.empty()  # filled after the page has run: an upload on the data page changes the data in use

navigation = st.navigation(
    [
        st.Page("ui/registrar.py", title="Candidate panels", icon=":material/groups:", default=True),
        st.Page("ui/data.py", title="Roster and disputes", icon=":material/table_view:"),
        st.Page("ui/review.py", title="Neutrality review", icon=":material/balance:"),
        st.Page("ui/batch.py", title="Batch run", icon=":material/playlist_play:"),
    ]
)
try:
    navigation.run()
except Exception:  # the last line of defence: no stack trace for users
    logging.getLogger("matching.app").exception("unexpected error on page %s", navigation.title)
    st.error(
        "Something unexpected went wrong on this page, and the maintainers' log has the details. "
        "Your recorded decisions are safe. Reload the page to carry on."
    )
data_slot.caption(f"Data in use: {data_label()}.")
