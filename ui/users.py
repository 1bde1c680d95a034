"""Users page (administrators): every account, and forms to add one, give one another role, and
switch one off or back on.

Each change goes through the store with the administrator's session, and the store checks, inside
the write, that the session's holder is an administrator now; each change is written to the
decision log. The store refuses to switch off or demote the last administrator who can sign in.
"""

from __future__ import annotations

import streamlit as st

from matching.api import (
    MIN_PASSWORD_LENGTH,
    ROLE_DESCRIPTIONS,
    AccessRole,
    DecisionStore,
    Permission,
    UserInfo,
)
from ui.common import attempt, decision_store, may, session_token
from ui.state import flash, take_flash

ROLES = list(AccessRole)


def role_label(role: AccessRole) -> str:
    return role.value.capitalize()


def accounts_table(users: list[UserInfo]) -> None:
    import pandas as pd  # imported when a table is drawn

    st.dataframe(
        pd.DataFrame(
            [{"name": u.name, "role": u.role.value, "status": u.status, "added": u.created_at[:10]} for u in users],
            columns=["name", "role", "status", "added"],
        ),
        hide_index=True,
        width="stretch",
    )


def add_form(store: DecisionStore) -> None:
    with st.form("add-user", clear_on_submit=False):
        st.markdown("**Add a user**")
        left, right = st.columns(2)
        name = left.text_input("Name", key="new-user-name", help="What they type to sign in; case does not matter.")
        role = right.selectbox(
            "Role", ROLES, format_func=role_label, key="new-user-role", help="See what each role may do above."
        )
        password = left.text_input(
            "Password",
            type="password",
            key="new-user-password",
            help=f"At least {MIN_PASSWORD_LENGTH} characters. Give it to them in person or by a separate channel.",
        )
        again = right.text_input("Password again", type="password", key="new-user-password-again")
        pressed = st.form_submit_button("Add user", type="primary")
    if not pressed:
        return
    if password != again:
        st.error("The user was not added: the two passwords differ.")
        return
    added = attempt("add the user", lambda: store.add_user(name, role, password, by=session_token()))
    if added is not None:
        flash(f"Added {added.name} as {'an' if added.role is AccessRole.ADMINISTRATOR else 'a'} {added.role.value}.")
        st.rerun()


def role_form(store: DecisionStore, names: list[str]) -> None:
    with st.form("change-role"):
        st.markdown("**Give a user another role**")
        left, right = st.columns(2)
        name = left.selectbox("User", names, key="role-user")
        role = right.selectbox("New role", ROLES, format_func=role_label, key="role-new")
        pressed = st.form_submit_button("Change the role")
    if pressed and name:
        changed = attempt("change the role", lambda: store.set_role(name, role, by=session_token()))
        if changed is not None:
            flash(
                f"{changed.name} is now {'an' if changed.role is AccessRole.ADMINISTRATOR else 'a'} {changed.role.value}."
            )
            st.rerun()


def switch_form(store: DecisionStore, names: list[str]) -> None:
    with st.form("switch-user"):
        st.markdown("**Switch an account off or back on**")
        name = st.selectbox("User", names, key="switch-user")
        left, right = st.columns(2)
        off = left.form_submit_button("Switch off", help="They can no longer sign in; their open sessions end now.")
        on = right.form_submit_button(
            "Switch back on", help="They can sign in again; a lock after wrong passwords is lifted."
        )
    if off and name:
        done = attempt("switch the account off", lambda: store.disable_user(name, by=session_token()))
        if done is not None:
            flash(f"{done.name} is switched off: they can no longer sign in.")
            st.rerun()
    if on and name:
        done = attempt("switch the account on", lambda: store.enable_user(name, by=session_token()))
        if done is not None:
            flash(f"{done.name} can sign in again.")
            st.rerun()


def main() -> None:
    st.title("Users")
    message = take_flash()
    if message:
        st.success(message)
    store = decision_store()
    if store is None:
        return
    if not may(Permission.MANAGE_USERS):
        st.info("Only administrators manage the user accounts.")
        return
    st.markdown("\n".join(f"- **{role_label(role)}**: {text}" for role, text in ROLE_DESCRIPTIONS.items()))
    users = attempt("read the user accounts", store.users)
    if users is None:
        return
    accounts_table(users)
    add_form(store)
    names = [u.name for u in users]
    if names:
        role_form(store, names)
        switch_form(store, names)
    st.caption(
        "Every change is written to the decision log with your name. The last administrator who can sign in "
        "cannot be switched off or given another role. Accounts can also be managed with "
        "`python -m matching users`."
    )


# Streamlit runs a page as "__main__"; importing it (its helpers, in the tests) draws nothing.
if __name__ == "__main__":
    main()
