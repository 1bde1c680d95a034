"""Sign-in and roles: who may use the decisions store, and for what.

Three roles (``AccessRole``): registrars find panels, record decisions and withdraw them;
reviewers read everything and change nothing; administrators manage the user accounts, the data
and the rule sets. ``ALLOWED`` says which roles hold each ``Permission``; ``ROLE_DESCRIPTIONS``
says the same in plain words for the app.

Passwords are hashed with argon2id (``argon2.PasswordHasher`` with its default parameters, the
RFC 9106 low-memory profile); only the hash is stored, with its own salt and parameters, and a
hash made with weaker parameters is replaced at the next sign-in. A password has at least
``MIN_PASSWORD_LENGTH`` characters. A sign-in gives a random session token; the database keeps
only its SHA-256, so a copy of the sessions table signs nobody in. A session lasts
``SESSION_HOURS`` hours, or ``MATCHING_SESSION_MINUTES`` minutes when that variable is set.

``MAX_FAILED_SIGNINS`` wrong passwords in a row lock the account for ``LOCK_MINUTES`` minutes; a
right password resets the count. A wrong password and a name nobody has get the same message, and
an unknown name costs the same hash verification as a known one, so neither the answer nor its
timing says whether a name exists. (The lock message does: it is the price of telling a locked-out
user until when.)

Where the role is checked: ``require(conn, token, permission)`` runs inside the caller's write
transaction and reads the session and the user's *current* role there. The store's writes
(recording, withdrawing, managing accounts) call it before they write, so a role an administrator
changes applies to the very next write of a session already open, and hiding a button in the app
is a courtesy, never the protection.

``Accounts`` is the part of ``DecisionStore`` that signs people in and manages accounts. The app
manages accounts with an administrator's session token; the command line acts as ``CommandLine``
(see there). Every account change appends a ``user`` event to the decision log (who, what, the
role; never a password or a hash).

Demo: on the default demo database only (``DATABASE_URL`` not set, the project's own
``var/decisions.sqlite``, holding no account of its own), ``ensure_demo_accounts`` marks the
database as a demo and creates ``DEMO_ACCOUNTS``, all with the published ``DEMO_PASSWORD``.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from matching.records.errors import StoreError
from matching.records.ledger import EventKind
from matching.records.tables import MetaRow, SessionRow, UserRow

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from matching.records.ledger import Event

log = logging.getLogger(__name__)

SESSION_HOURS = 8  # how long a sign-in lasts, unless MATCHING_SESSION_MINUTES says otherwise
SESSION_ENV = "MATCHING_SESSION_MINUTES"
MAX_FAILED_SIGNINS = 5  # wrong passwords in a row before the account is locked
LOCK_MINUTES = 15  # how long it stays locked
MIN_PASSWORD_LENGTH = 10
MAX_NAME_LENGTH = 100  # the users table's name column

DEMO_PASSWORD = "demo-password"  # published on the sign-in page of the demo: never a real database's
MODE_KEY = "mode"  # the meta row that says "demo" on the demo database
DEMO_ACTOR = "demo set-up"

# argon2id with the library's defaults (time cost 3, 64 MiB, 4 lanes in argon2-cffi 25): a hash
# made with other parameters is re-made at the next sign-in (``check_needs_rehash``).
HASHER = PasswordHasher()


class AccessRole(StrEnum):
    """What a signed-in person may do (the ``role`` column of ``users``)."""

    REGISTRAR = "registrar"
    REVIEWER = "reviewer"
    ADMINISTRATOR = "administrator"


class Permission(StrEnum):
    """A kind of write; reading needs no permission beyond being signed in."""

    RECORD = "record"  # record a panel as the decision
    WITHDRAW = "withdraw"  # withdraw a recorded decision
    MANAGE_USERS = "manage_users"  # add accounts, change roles, switch accounts off and on
    MANAGE_DATA = "manage_data"  # change the shared data and rule sets


ALLOWED: Mapping[Permission, frozenset[AccessRole]] = MappingProxyType(
    {
        Permission.RECORD: frozenset({AccessRole.REGISTRAR}),
        Permission.WITHDRAW: frozenset({AccessRole.REGISTRAR}),
        Permission.MANAGE_USERS: frozenset({AccessRole.ADMINISTRATOR}),
        Permission.MANAGE_DATA: frozenset({AccessRole.ADMINISTRATOR}),
    }
)

ROLE_DESCRIPTIONS: Mapping[AccessRole, str] = MappingProxyType(
    {
        AccessRole.REGISTRAR: "Finds candidate panels for disputes, records the chosen panel as the decision, "
        "withdraws a decision when needed, and runs batches. Reads everything.",
        AccessRole.REVIEWER: "Reads everything (the roster, the disputes, the recorded decisions and the "
        "neutrality reviews) but cannot record, withdraw or change anything.",
        AccessRole.ADMINISTRATOR: "Manages the user accounts, the data and the rule sets, and reads everything; "
        "does not record or withdraw decisions (a registrar does).",
    }
)

DEMO_ACCOUNTS: Mapping[str, AccessRole] = MappingProxyType(
    {
        "demo-registrar": AccessRole.REGISTRAR,
        "demo-reviewer": AccessRole.REVIEWER,
        "demo-admin": AccessRole.ADMINISTRATOR,
    }
)

_PLURAL = {
    AccessRole.REGISTRAR: "Registrars",
    AccessRole.REVIEWER: "Reviewers",
    AccessRole.ADMINISTRATOR: "Administrators",
}
_ACTION = {
    Permission.RECORD: "record decisions",
    Permission.WITHDRAW: "withdraw decisions",
    Permission.MANAGE_USERS: "manage user accounts",
    Permission.MANAGE_DATA: "change the shared data or rule sets",
}


# --- errors ----------------------------------------------------------------------------------


class AuthError(StoreError):
    """Signing in did not work, or the session can no longer be used; the person signs in again.

    A wrong password and an unknown name get the same message: it never says which."""

    code = "auth_failed"

    def __init__(self, message: str = "The name or password is not right.") -> None:
        super().__init__(message)


class AccountLocked(AuthError):
    """Too many wrong passwords in a row: no sign-in until ``until`` (UTC), even with the right one."""

    code = "account_locked"

    def __init__(self, until: datetime) -> None:
        self.until = until
        super().__init__(
            f"This account is locked after {MAX_FAILED_SIGNINS} wrong passwords in a row, until "
            f"{until.astimezone(UTC):%H:%M} UTC on {until.astimezone(UTC):%d %B %Y}. Try again then, or ask an "
            "administrator to unlock it."
        )


class AccountDisabled(AuthError):
    """The account was switched off by an administrator: it can neither sign in nor use an old session."""

    code = "account_disabled"

    def __init__(
        self, message: str = "This account is switched off. Ask an administrator if you need it again."
    ) -> None:
        super().__init__(message)


class SessionExpired(AuthError):
    """The session token is unknown, signed out, or past its time."""

    code = "session_expired"

    def __init__(self, message: str = "Your session has ended. Please sign in again.") -> None:
        super().__init__(message)


class NotAllowed(StoreError):
    """The signed-in person's role does not hold the permission this write needs."""

    code = "not_allowed"

    def __init__(self, user: str, role: AccessRole, permission: Permission) -> None:
        self.user = user
        self.role = role
        self.permission = permission
        super().__init__(not_allowed_text(role, permission))


class AccountError(StoreError):
    """An account change the store refuses: the name is taken, or it would leave no administrator."""

    code = "account"


class AccountArgumentError(AccountError):
    """An account change asked with an unusable value: a bad name, an unknown role or user."""

    code = "bad_account_argument"


class PasswordRejected(AccountArgumentError):
    """The new password is too short; the message says why."""

    code = "weak_password"


def not_allowed_text(role: AccessRole, permission: Permission) -> str:
    """``Reviewers can read everything but cannot record decisions.`` and the like."""
    action = _ACTION[permission]
    if role is AccessRole.REVIEWER:
        return f"Reviewers can read everything but cannot {action}."
    if role is AccessRole.ADMINISTRATOR:
        return f"Administrators manage user accounts and data but cannot {action}; a registrar does."
    return f"{_PLURAL[role]} cannot {action}; an administrator does."


# --- plain records ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Principal:
    """Who a session belongs to, with their role as it is now."""

    user_id: int
    name: str
    role: AccessRole
    expires_at: datetime  # when the session ends (UTC)

    def may(self, permission: Permission) -> bool:
        return self.role in ALLOWED[permission]


@dataclass(frozen=True)
class Session:
    """A sign-in: the token the app keeps (the database keeps only its SHA-256) and who it is."""

    token: str = field(repr=False)  # never in a log line or an error report
    principal: Principal


@dataclass(frozen=True)
class UserInfo:
    """One account as the Users page and ``users list`` show it (no password material)."""

    name: str
    role: AccessRole
    disabled: bool
    locked_until: str | None  # ISO 8601 UTC while locked after wrong passwords, else None
    created_at: str  # ISO 8601 UTC

    @property
    def status(self) -> str:
        """The account's state in plain words: active, switched off, or locked until when."""
        if self.disabled:
            return "switched off"
        if self.locked_until:
            return f"locked until {self.locked_until.replace('T', ' ')[:16]} UTC"
        return "active"


@dataclass(frozen=True)
class CommandLine:
    """The command line as the author of an account change.

    It runs with direct access to the decisions database (its address, and the database's own
    password for a server database): whoever can run it could change the database anyway, so it
    acts with an administrator's rights without a session, and the decision log names it (and the
    operating-system user, when known) as the actor."""

    operator: str = ""

    @property
    def actor(self) -> str:
        return f"command line ({self.operator})" if self.operator else "command line"


# --- helpers ---------------------------------------------------------------------------------


def utc_now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _parse(text: str | None) -> datetime | None:
    """A stored timestamp; None when empty or unreadable (an unreadable expiry counts as expired)."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def token_digest(token: str) -> str:
    """What the sessions table keeps of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def session_length() -> timedelta:
    """``MATCHING_SESSION_MINUTES`` minutes when set to a whole number above 0, else ``SESSION_HOURS`` hours."""
    text = os.environ.get(SESSION_ENV, "").strip()
    if text:
        try:
            minutes = int(text)
        except ValueError:
            minutes = 0
        if minutes > 0:
            return timedelta(minutes=minutes)
        log.warning(
            "%s=%r is not a whole number of minutes above 0; sessions last %d hours", SESSION_ENV, text, SESSION_HOURS
        )
    return timedelta(hours=SESSION_HOURS)


def password_problem(password: str) -> str | None:
    """Why a new password cannot be used, in plain words, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return (
            f"The password is too short: use at least {MIN_PASSWORD_LENGTH} characters "
            "(a few words strung together are easy to remember and hard to guess)."
        )
    return None


def _normal(name: str) -> str:
    return unicodedata.normalize("NFC", name).strip()


def _clean_name(name: str) -> str:
    """The name as stored: trimmed, in one Unicode form; ``AccountArgumentError`` for an unusable one."""
    clean = _normal(name)
    if not clean:
        raise AccountArgumentError("Give the user a name.")
    if len(clean) > MAX_NAME_LENGTH:
        raise AccountArgumentError(f"A user name has at most {MAX_NAME_LENGTH} characters.")
    if any(unicodedata.category(c).startswith("C") for c in clean):
        raise AccountArgumentError("A user name cannot hold control characters such as line breaks or tabs.")
    return clean


def access_role(value: AccessRole | str) -> AccessRole:
    """The role named ``value``; ``AccountArgumentError`` listing the roles for anything else."""
    try:
        return AccessRole(str(value).strip().lower())
    except ValueError:
        names = ", ".join(r.value for r in AccessRole)
        raise AccountArgumentError(f"There is no role called {value!r}; the roles are {names}.") from None


def hash_password(password: str) -> str:
    """The argon2id hash to store (salted; ``PasswordRejected`` when the password is too short)."""
    problem = password_problem(password)
    if problem:
        raise PasswordRejected(problem)
    return HASHER.hash(password)


def _verify(stored: str, password: str) -> bool:
    try:
        return HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _decoy_hash() -> str:
    """A hash of nobody's password: an unknown name is verified against it, as long as a real one."""
    return HASHER.hash(secrets.token_urlsafe(16))


def _needs_rehash(stored: str) -> bool:
    try:
        return HASHER.check_needs_rehash(stored)
    except (InvalidHashError, ValueError):
        return True


def _find_user(conn: Connection, name: str) -> Any:
    """The users row whose name matches ``name`` ignoring case (and Unicode form), or None.

    Compared here rather than in SQL: SQLite's ``lower`` folds ASCII letters only, and the table
    holds a few dozen names."""
    wanted = _normal(name).casefold()
    if not wanted:
        return None
    found = next((uid for uid, n in conn.execute(select(UserRow.id, UserRow.name)) if n.casefold() == wanted), None)
    if found is None:
        return None
    return conn.execute(select(UserRow).where(UserRow.id == found)).first()


def _require_user(conn: Connection, name: str) -> Any:
    user = _find_user(conn, name)
    if user is None:
        raise AccountArgumentError(f"There is no user called {_normal(name)!r}.")
    return user


def _role(value: str) -> AccessRole:
    try:
        return AccessRole(value)
    except ValueError:
        raise StoreError(
            f"An account holds a role this version does not know ({value!r}); an administrator can set it again."
        ) from None


def _info(row: Any) -> UserInfo:
    return UserInfo(
        name=row.name,
        role=_role(row.role),
        disabled=bool(row.disabled),
        locked_until=row.locked_until,
        created_at=row.created_at,
    )


def _session_principal(conn: Connection, token: str, now: datetime, lock: bool = False) -> Principal:
    """Who holds the session ``token`` now; ``SessionExpired`` or ``AccountDisabled`` otherwise.

    ``lock`` also takes a share lock on the user's row (``FOR SHARE`` on server databases; SQLite's
    ``BEGIN IMMEDIATE`` has already serialised every writer), so no role change can slip in between
    this check and the caller's write."""
    if not token:
        raise SessionExpired("You are not signed in. Please sign in.")
    session = conn.execute(
        select(SessionRow.user_id, SessionRow.expires_at, SessionRow.ended_at).where(
            SessionRow.token_sha256 == token_digest(token)
        )
    ).first()
    if session is None:
        raise SessionExpired()
    query = select(UserRow.id, UserRow.name, UserRow.role, UserRow.disabled).where(UserRow.id == session.user_id)
    user = conn.execute(query.with_for_update(read=True) if lock else query).first()
    if user is None:
        raise SessionExpired("The account of this session no longer exists. Please sign in again.")
    if user.disabled:  # said before "signed out": switching an account off also ends its sessions
        raise AccountDisabled()
    if session.ended_at is not None:
        raise SessionExpired("You signed out of this session. Please sign in again.")
    expires = _parse(session.expires_at)
    if expires is None or now >= expires:
        raise SessionExpired("Your session has expired. Please sign in again.")
    return Principal(user_id=user.id, name=user.name, role=_role(user.role), expires_at=expires)


def require(conn: Connection, token: str, permission: Permission, now: datetime | str | None = None) -> Principal:
    """The holder of session ``token``, if their current role allows ``permission``.

    Runs inside the caller's (write) transaction, so the role is checked where the write happens:
    raises ``SessionExpired`` (unknown, signed-out or expired session), ``AccountDisabled`` (the
    account was switched off) or ``NotAllowed`` (the role does not hold the permission). ``now``
    (a datetime, or ISO 8601 text as the store writes it) is the time of the write; default: now."""
    moment = _parse(now) if isinstance(now, str) else now
    principal = _session_principal(conn, token, moment or utc_now(), lock=True)
    if not principal.may(permission):
        raise NotAllowed(principal.name, principal.role, permission)
    return principal


def _active_administrators(conn: Connection, other_than: int) -> int:
    query = (
        select(func.count())
        .select_from(UserRow)
        .where(UserRow.role == AccessRole.ADMINISTRATOR.value, UserRow.disabled.is_(False), UserRow.id != other_than)
    )
    return int(conn.scalar(query) or 0)


def _keep_an_administrator(conn: Connection, user: Any) -> None:
    """Refuse to demote or switch off the last administrator who can sign in."""
    if user.role == AccessRole.ADMINISTRATOR.value and not user.disabled and not _active_administrators(conn, user.id):
        raise AccountError(
            f"{user.name} is the last administrator who can sign in: add or switch on another administrator "
            "first, so that someone can still manage the accounts."
        )


# --- the store's part --------------------------------------------------------------------------


class Accounts:
    """Sign-in, sessions and account management: the part of ``DecisionStore`` that knows who is who.

    It uses the store's engine and its write transaction (``_write``: ``BEGIN IMMEDIATE`` on SQLite),
    its error mapping (``_errors``) and its decision-log append (``_log_event``), declared below for
    the type checker.

    Account changes take ``by``: the session token of a signed-in administrator (the app; the
    permission is checked inside the write transaction), or ``CommandLine(...)`` (the command line,
    which has direct access to the database and so acts with an administrator's rights)."""

    url: str
    engine: Engine

    if TYPE_CHECKING:

        def _write(self) -> AbstractContextManager[Connection]: ...

        def _errors(self, action: str) -> AbstractContextManager[None]: ...

        def _log_event(self, conn: Connection, actor: str, kind: EventKind, payload: Mapping[str, Any]) -> Event: ...

    # --- signing in and out ----------------------------------------------------------------------

    def sign_in(self, name: str, password: str, *, now: datetime | None = None) -> Session:
        """A new session for ``name`` if ``password`` is theirs.

        Raises ``AuthError`` (wrong name or password: the same message for both),
        ``AccountLocked`` (locked after wrong passwords, or locked by this very attempt) or
        ``AccountDisabled`` (switched off; said only to someone who gave the right password)."""
        moment = now or utc_now()
        with self._errors("sign in"), self.engine.connect() as conn:
            user = _find_user(conn, name)
        if user is None:
            _verify(_decoy_hash(), password)  # the same work as for a real name
            raise AuthError()
        until = _parse(user.locked_until)
        if until is not None and moment < until:
            raise AccountLocked(until)
        if not _verify(user.password_hash, password):
            self._count_failure(user.id, moment)
            raise AuthError()
        if user.disabled:
            raise AccountDisabled()
        return self._open_session(user, password, moment)

    def _count_failure(self, user_id: int, moment: datetime) -> None:
        """One more wrong password; the one that reaches ``MAX_FAILED_SIGNINS`` locks the account (raises)."""
        until: datetime | None = None
        with self._errors("sign in"), self._write() as conn:
            conn.execute(
                update(UserRow)
                .where(UserRow.id == user_id)
                .values(failed_signins=func.coalesce(UserRow.failed_signins, 0) + 1)
            )
            count = int(conn.scalar(select(UserRow.failed_signins).where(UserRow.id == user_id)) or 0)
            if count >= MAX_FAILED_SIGNINS:
                until = moment + timedelta(minutes=LOCK_MINUTES)
                conn.execute(
                    update(UserRow).where(UserRow.id == user_id).values(failed_signins=0, locked_until=_iso(until))
                )
        if until is not None:
            raise AccountLocked(until)

    def _open_session(self, user: Any, password: str, moment: datetime) -> Session:
        token = secrets.token_urlsafe(32)
        expires = moment + session_length()
        fresh = HASHER.hash(password) if _needs_rehash(user.password_hash) else None
        with self._errors("sign in"), self._write() as conn:
            now_row = conn.execute(select(UserRow.role, UserRow.disabled).where(UserRow.id == user.id)).first()
            if now_row is None:
                raise AuthError()
            if now_row.disabled:  # switched off while the password was being checked
                raise AccountDisabled()
            values: dict[str, Any] = {"failed_signins": 0, "locked_until": None}
            if fresh is not None:
                values["password_hash"] = fresh
            conn.execute(update(UserRow).where(UserRow.id == user.id).values(**values))
            conn.execute(
                insert(SessionRow).values(
                    token_sha256=token_digest(token),
                    user_id=user.id,
                    created_at=_iso(moment),
                    expires_at=_iso(expires),
                )
            )
        return Session(token, Principal(user.id, user.name, _role(now_row.role), expires))

    def principal(self, token: str, *, now: datetime | None = None) -> Principal:
        """Who holds the session ``token``, with their current role; ``SessionExpired`` or
        ``AccountDisabled`` when it can no longer be used. The app calls it on every page draw."""
        with self._errors("check your session"), self.engine.connect() as conn:
            return _session_principal(conn, token, now or utc_now())

    def sign_out(self, token: str, *, now: datetime | None = None) -> None:
        """End the session (an unknown or already ended one is left as it is)."""
        moment = now or utc_now()
        with self._errors("sign out"), self._write() as conn:
            conn.execute(
                update(SessionRow)
                .where(SessionRow.token_sha256 == token_digest(token), SessionRow.ended_at.is_(None))
                .values(ended_at=_iso(moment))
            )

    # --- managing accounts -----------------------------------------------------------------------

    def _author(self, conn: Connection, by: str | CommandLine, moment: datetime) -> str:
        """The actor of an account change: the command line, or the administrator holding session ``by``."""
        if isinstance(by, CommandLine):
            return by.actor
        return require(conn, by, Permission.MANAGE_USERS, moment).name

    def add_user(
        self,
        name: str,
        role: AccessRole | str,
        password: str,
        *,
        by: str | CommandLine,
        now: datetime | None = None,
    ) -> UserInfo:
        """Create an account (names are unique ignoring case). ``by``: an administrator's session
        token (the app) or ``CommandLine(...)`` (the command line, with the database's access)."""
        clean, access = _clean_name(name), access_role(role)
        digest = hash_password(password)
        moment = now or utc_now()
        try:
            with self._errors("add the user"), self._write() as conn:
                actor = self._author(conn, by, moment)
                existing = _find_user(conn, clean)
                if existing is not None:
                    raise AccountError(f"There is already a user called {existing.name}.")
                conn.execute(
                    insert(UserRow).values(
                        name=clean,
                        role=access.value,
                        password_hash=digest,
                        disabled=False,
                        failed_signins=0,
                        locked_until=None,
                        created_at=_iso(moment),
                    )
                )
                self._log_event(conn, actor, EventKind.USER, {"user": clean, "change": "added", "role": access.value})
        except IntegrityError:
            raise AccountError(f"There is already a user called {clean}.") from None
        return self._user(clean)

    def set_role(
        self, name: str, role: AccessRole | str, *, by: str | CommandLine, now: datetime | None = None
    ) -> UserInfo:
        """Give ``name`` another role; it applies to their next write, even in a session already open.
        The last administrator who can sign in cannot be given another role."""
        access = access_role(role)
        moment = now or utc_now()
        with self._errors("change the role"), self._write() as conn:
            actor = self._author(conn, by, moment)
            user = _require_user(conn, name)
            if user.role != access.value:
                if access is not AccessRole.ADMINISTRATOR:
                    _keep_an_administrator(conn, user)
                conn.execute(update(UserRow).where(UserRow.id == user.id).values(role=access.value))
                payload = {"user": user.name, "change": "role", "role": access.value, "previous_role": user.role}
                self._log_event(conn, actor, EventKind.USER, payload)
        return self._user(user.name)

    def disable_user(self, name: str, *, by: str | CommandLine, now: datetime | None = None) -> UserInfo:
        """Switch an account off: it can no longer sign in, and its open sessions end at once. The
        record of what it did stays. The last administrator who can sign in cannot be switched off."""
        moment = now or utc_now()
        with self._errors("switch the account off"), self._write() as conn:
            actor = self._author(conn, by, moment)
            user = _require_user(conn, name)
            if not user.disabled:
                _keep_an_administrator(conn, user)
                conn.execute(update(UserRow).where(UserRow.id == user.id).values(disabled=True))
                conn.execute(
                    update(SessionRow)
                    .where(SessionRow.user_id == user.id, SessionRow.ended_at.is_(None))
                    .values(ended_at=_iso(moment))
                )
                payload = {"user": user.name, "change": "disabled", "role": user.role}
                self._log_event(conn, actor, EventKind.USER, payload)
        return self._user(user.name)

    def enable_user(self, name: str, *, by: str | CommandLine, now: datetime | None = None) -> UserInfo:
        """Switch an account back on, and lift a lock after wrong passwords."""
        moment = now or utc_now()
        with self._errors("switch the account on"), self._write() as conn:
            actor = self._author(conn, by, moment)
            user = _require_user(conn, name)
            if user.disabled or user.locked_until is not None or user.failed_signins:
                conn.execute(
                    update(UserRow)
                    .where(UserRow.id == user.id)
                    .values(disabled=False, failed_signins=0, locked_until=None)
                )
                payload = {"user": user.name, "change": "enabled" if user.disabled else "unlocked", "role": user.role}
                self._log_event(conn, actor, EventKind.USER, payload)
        return self._user(user.name)

    def users(self) -> list[UserInfo]:
        """Every account, by name (no password material)."""
        with self._errors("read the user accounts"), self.engine.connect() as conn:
            rows = conn.execute(select(UserRow).order_by(UserRow.name)).all()
        return [_info(row) for row in rows]

    def _user(self, name: str) -> UserInfo:
        with self._errors("read the user account"), self.engine.connect() as conn:
            return _info(_require_user(conn, name))

    # --- the demo --------------------------------------------------------------------------------

    @property
    def is_demo(self) -> bool:
        """Whether this is the demo database (its ``meta`` row ``mode`` says ``demo``)."""
        with self._errors("read the database's settings"), self.engine.connect() as conn:
            return conn.scalar(select(MetaRow.value).where(MetaRow.key == MODE_KEY)) == "demo"

    @property
    def is_default_database(self) -> bool:
        """Whether this store is the project's own SQLite file, used because ``DATABASE_URL`` is not set."""
        from matching.records.store import database_url  # here: the store module builds on this one

        return not os.environ.get("DATABASE_URL") and self.url == database_url()

    def ensure_demo_accounts(self) -> bool:
        """On the default demo database, mark it as the demo and create any missing ``DEMO_ACCOUNTS``
        (password ``DEMO_PASSWORD``); True when this is the demo database.

        Never on another database: not when ``DATABASE_URL`` is set, not on any other address, and
        not on the default file once it holds accounts of its own (made with ``users add``) without
        being marked as the demo, so a real installation never gains accounts with a published
        password."""
        if not self.is_default_database:
            return False
        with self._errors("prepare the demo accounts"), self.engine.connect() as conn:
            mode = conn.scalar(select(MetaRow.value).where(MetaRow.key == MODE_KEY))
            names = {n.casefold() for n in conn.scalars(select(UserRow.name))}
        demo = mode == "demo"
        if not demo and (names or mode is not None):
            return False
        missing = [name for name in DEMO_ACCOUNTS if name.casefold() not in names]
        if demo and not missing:
            return True
        hashes = {name: HASHER.hash(DEMO_PASSWORD) for name in missing}
        try:
            with self._errors("prepare the demo accounts"), self._write() as conn:
                return self._make_demo(conn, hashes)
        except IntegrityError:  # another process made them meanwhile
            return self.is_demo

    def _make_demo(self, conn: Connection, hashes: Mapping[str, str]) -> bool:
        """Inside one write transaction: check again, mark the database, add the accounts."""
        mode = conn.scalar(select(MetaRow.value).where(MetaRow.key == MODE_KEY))
        names = {n.casefold() for n in conn.scalars(select(UserRow.name))}
        if mode != "demo":
            if names or mode is not None:
                return False
            conn.execute(insert(MetaRow).values(key=MODE_KEY, value="demo"))
        moment = _iso(utc_now())
        for name, digest in hashes.items():
            if name.casefold() in names:
                continue
            role = DEMO_ACCOUNTS[name].value
            conn.execute(
                insert(UserRow).values(
                    name=name,
                    role=role,
                    password_hash=digest,
                    disabled=False,
                    failed_signins=0,
                    locked_until=None,
                    created_at=moment,
                )
            )
            self._log_event(conn, DEMO_ACTOR, EventKind.USER, {"user": name, "change": "added", "role": role})
        return True
