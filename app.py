"""Streamlit entry: ``streamlit run app.py``.

Until someone signs in, the only page is the sign-in (``ui/signin.py``). Then the pages, in
``ui/``, are those of the person's role: candidate panels for one dispute (registrars), the data
in use (upload, check, browse), the neutrality review of recorded decisions, batch runs
(registrars), the plan for the coming years (registrars and administrators) and the user accounts
(administrators). The session is checked again on every run,
so an expired or switched-off session returns to the sign-in page and a changed role shows at
once; the store checks the role again inside every write. Pages call the library only and never
build a solver model themselves. Recorded decisions go to the decisions store
(``matching.records.store``: ``var/decisions.sqlite``, or ``DATABASE_URL``); on the default demo
database the store creates the demo accounts, and the sidebar says "Demo mode".

Errors the library raises on purpose are shown by the pages in plain words; anything else is
caught here, logged for the maintainers and shown as one plain sentence, never a stack trace.
"""

import logging

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from matching.api import AccessRole, DecisionStore, MatchingError
from ui.common import check_session, data_label, decision_store, sign_out

st.set_page_config(page_title="IOMed panel matcher", page_icon="⚖️", layout="wide")


def pages_for(role: AccessRole) -> list[StreamlitPage]:
    """The pages a role sees, its first page first."""
    panels = st.Page("ui/registrar.py", title="Candidate panels", icon=":material/groups:")
    data = st.Page("ui/data.py", title="Roster and disputes", icon=":material/table_view:")
    review = st.Page("ui/review.py", title="Neutrality review", icon=":material/balance:")
    batch = st.Page("ui/batch.py", title="Batch run", icon=":material/playlist_play:")
    planning = st.Page("ui/planning.py", title="Planning", icon=":material/insights:")
    users = st.Page("ui/users.py", title="Users", icon=":material/manage_accounts:")
    if role is AccessRole.REGISTRAR:
        return [panels, data, review, batch, planning]
    if role is AccessRole.REVIEWER:
        return [review, data]
    return [data, review, planning, users]


def is_demo(store: DecisionStore | None) -> bool:
    try:
        return store is not None and store.is_demo
    except MatchingError:
        return False


store = decision_store()
who = check_session(store) if store is not None else None
data_slot = None
with st.sidebar:
    if is_demo(store):
        st.warning(
            "**Demo mode**: the demo database, with demo accounts whose password is published. "
            "Do not record real cases here."
        )
    if who is not None:
        st.markdown(f"Signed in as **{who.name}** ({who.role.value})")
        st.button("Sign out", on_click=sign_out, args=(store,), key="sign-out")
        data_slot = st.empty()  # filled after the page has run: an upload on the data page changes the data in use

if who is None:
    navigation = st.navigation([st.Page("ui/signin.py", title="Sign in", icon=":material/login:")])
else:
    navigation = st.navigation(pages_for(who.role))
try:
    navigation.run()
except Exception:  # the last line of defence: no stack trace for users
    logging.getLogger("matching.app").exception("unexpected error on page %s", navigation.title)
    st.error(
        "Something unexpected went wrong on this page, and the maintainers' log has the details. "
        "Your recorded decisions are safe. Reload the page to carry on."
    )
if data_slot is not None:
    data_slot.caption(f"Data in use: {data_label()}.")
