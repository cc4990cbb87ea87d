"""Staff users and their API tokens."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from civicgrid.accounts.models import ApiToken, User
from civicgrid.accounts.password import hash_password, needs_rehash, verify_password
from civicgrid.catalog.models import Department
from civicgrid.db import utcnow
from civicgrid.errors import Conflict, Forbidden, Invalid, NotFound

ROLES = ("operator", "caseworker", "supervisor", "command", "administrator")


def _hash(token: str) -> str:
    # Tokens are 256 random bits, so a plain SHA-256 is enough; no slow KDF needed.
    return hashlib.sha256(token.encode()).hexdigest()


def create(
    session: Session,
    *,
    username: str,
    display_name: str,
    role: str,
    department_code: str | None = None,
    email: str | None = None,
    password: str | None = None,
) -> User:
    """Add a member of staff; caseworkers belong to a department; a password allows web login."""
    if role not in ROLES:
        raise Invalid(
            "role must be one of %(roles)s; got '%(role)s'",
            params={"roles": ROLES, "role": role},
            field="role",
        )
    if session.scalar(select(User).where(User.username == username)):
        raise Conflict(
            "a user named '%(username)s' already exists",
            params={"username": username},
            field="username",
        )
    department_id = None
    if department_code:
        department_id = session.scalar(
            select(Department.id).where(Department.code == department_code)
        )
        if department_id is None:
            raise NotFound(
                "no department with code '%(department_code)s'",
                params={"department_code": department_code},
                field="department",
            )
    elif role == "caseworker":
        raise Invalid("a caseworker needs a department (--department CODE)", field="department")
    user = User(
        username=username,
        display_name=display_name,
        role=role,
        email=email,
        department_id=department_id,
        password_hash=hash_password(password) if password is not None else None,
    )
    session.add(user)
    session.flush()
    return user


def get_by_username_or_raise(session: Session, username: str) -> User:
    """The user with this username."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound("no user named '%(username)s'", params={"username": username})
    return user


def issue_token(session: Session, *, user: User, label: str = "") -> str:
    """A new bearer token for ``user``; the plain token is returned once and never stored."""
    token = secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=_hash(token), label=label))
    session.flush()
    return token


def revoke_tokens(session: Session, *, user: User, now: datetime | None = None) -> int:
    """Revoke every live token of ``user``; returns how many."""
    tokens = session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ).all()
    for token in tokens:
        token.revoked_at = now or utcnow()
    session.flush()
    return len(tokens)


def user_for_token(session: Session, token: str) -> User:
    """The active user a bearer token belongs to, or Forbidden."""
    row = session.execute(
        select(User, ApiToken)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == _hash(token))
    ).first()
    if row is None or row[1].revoked_at is not None or not row[0].active:
        raise Forbidden("the API token is unknown, revoked, or its user is inactive")
    return row[0]


def list_(session: Session) -> list[User]:
    """Every member of staff by username."""
    return list(session.scalars(select(User).order_by(User.username)))


def get_or_raise(session: Session, user_id: int) -> User:
    """The user with this id."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("no user with id %(user_id)s", params={"user_id": user_id})
    return user


def set_password(session: Session, *, user: User, password: str) -> None:
    """Give ``user`` a new web login password (stored as an argon2id hash)."""
    user.password_hash = hash_password(password)
    session.flush()


def generate_password() -> str:
    """A new random password (16 URL-safe characters, 96 bits) for an account set up by a tool."""
    return secrets.token_urlsafe(12)


def give_missing_passwords(session: Session, users: Iterable[User]) -> dict[str, str]:
    """Give each of ``users`` without a web password a generated one; returns them by username.

    The plain passwords are returned once, for the caller to show; only their hashes are kept.
    Accounts that already have a password keep it.
    """
    given: dict[str, str] = {}
    for user in users:
        if user.password_hash is None:
            given[user.username] = generate_password()
            set_password(session, user=user, password=given[user.username])
    return given


def authenticate(session: Session, *, username: str, password: str) -> User:
    """The active user with this username and password, or Forbidden (which one is not said)."""
    user = session.scalar(select(User).where(User.username == username.strip()))
    stored = user.password_hash if user is not None else None
    if not verify_password(stored, password) or user is None or not user.active:
        raise Forbidden("the username or password is wrong, or the account is inactive")
    if stored is not None and needs_rehash(stored):
        user.password_hash = hash_password(password)
    return user


def update(
    session: Session,
    *,
    user: User,
    display_name: str,
    role: str,
    department_code: str | None,
    email: str | None,
    active: bool,
) -> User:
    """Change a member of staff's name, role, department, e-mail and whether they may log in."""
    if role not in ROLES:
        raise Invalid(
            "role must be one of %(roles)s; got '%(role)s'",
            params={"roles": ROLES, "role": role},
            field="role",
        )
    department_id = None
    if department_code:
        department_id = session.scalar(
            select(Department.id).where(Department.code == department_code)
        )
        if department_id is None:
            raise NotFound(
                "no department with code '%(department_code)s'",
                params={"department_code": department_code},
                field="department",
            )
    elif role == "caseworker":
        raise Invalid("a caseworker needs a department", field="department")
    user.display_name = display_name.strip() or user.username
    user.role, user.department_id, user.email, user.active = role, department_id, email, active
    session.flush()
    return user
