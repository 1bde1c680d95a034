"""Sign-in page: the only page shown until someone signs in with a name and a password.

A wrong name or password gets one plain message that never says which; a locked account says
until when. On the demo database (and only there) the page lists the demo accounts and their
published password.
"""

from __future__ import annotations

import streamlit as st

from matching.api import DEMO_ACCOUNTS, DEMO_PASSWORD, AuthError, MatchingError
from ui.common import SIGNED_OUT_KEY, decision_store, start_session


def demo_accounts() -> None:
    names = ", ".join(f"`{name}` ({role.value})" for name, role in DEMO_ACCOUNTS.items())
    st.info(
        f"**Demo mode.** Sign in with one of the demo accounts: {names}. The password of each is "
        f"`{DEMO_PASSWORD}`. They exist only in this demo database; anything recorded here is for practice."
    )


def main() -> None:
    st.title("Sign in")
    store = decision_store()
    if store is None:
        return
    reason = st.session_state.pop(SIGNED_OUT_KEY, None)
    if reason:
        st.info(str(reason))
    st.caption(
        "Sign in with the name and password an administrator gave you. Your role decides what you can do: "
        "registrars record decisions, reviewers read everything, administrators manage the accounts."
    )
    with st.form("sign-in"):
        name = st.text_input("Name", key="sign-in-name", autocomplete="username")
        password = st.text_input("Password", type="password", key="sign-in-password", autocomplete="current-password")
        pressed = st.form_submit_button("Sign in", type="primary")
    if pressed:
        try:
            session = store.sign_in(name, password)
        except AuthError as exc:
            st.error(str(exc))
        except MatchingError as exc:
            st.error(f"Could not sign in: {exc}")
        else:
            start_session(session.token)
            st.rerun()
    try:
        demo = store.is_demo
    except MatchingError:
        demo = False
    if demo:
        demo_accounts()


# Streamlit runs a page as "__main__"; importing it (its helpers, in the tests) draws nothing.
if __name__ == "__main__":
    main()
