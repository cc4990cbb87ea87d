"""Staff accounts and API tokens, and the `civicgrid user` commands."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from civicgrid.accounts import service
from civicgrid.errors import Conflict, Forbidden, Invalid, NotFound
from tests import factories


def test_tokens_identify_and_can_be_revoked(session: Session) -> None:
    user = service.create(session, username="ann", display_name="Ann", role="supervisor")
    token = service.issue_token(session, user=user, label="laptop")
    assert service.user_for_token(session, token).id == user.id
    assert service.revoke_tokens(session, user=user) == 1
    with pytest.raises(Forbidden):
        service.user_for_token(session, token)
    with pytest.raises(Forbidden):
        service.user_for_token(session, "made-up")


def test_inactive_user_cannot_use_a_token(session: Session) -> None:
    user = service.create(session, username="bob", display_name="Bob", role="operator")
    token = service.issue_token(session, user=user)
    user.active = False
    with pytest.raises(Forbidden):
        service.user_for_token(session, token)


def test_creation_rules(session: Session) -> None:
    factories.department(session, code="DOT")
    with pytest.raises(Invalid, match="role must be"):
        service.create(session, username="x", display_name="x", role="mayor")
    with pytest.raises(Invalid, match="needs a department"):
        service.create(session, username="x", display_name="x", role="caseworker")
    with pytest.raises(NotFound, match="no department"):
        service.create(
            session, username="x", display_name="x", role="caseworker", department_code="Z"
        )
    user = service.create(
        session, username="x", display_name="x", role="caseworker", department_code="DOT"
    )
    assert user.department_id is not None
    with pytest.raises(Conflict, match="already exists"):
        service.create(session, username="x", display_name="y", role="operator")
    assert service.get_by_username_or_raise(session, "x").id == user.id
    with pytest.raises(NotFound):
        service.get_by_username_or_raise(session, "nobody")
