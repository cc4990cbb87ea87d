"""FastAPI dependencies shared by every slice: settings and the request's transaction."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, cast

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker

from civicgrid.db import transaction
from civicgrid.settings import Settings


def get_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    return cast(Settings, request.app.state.settings)


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the handler returns, else rolled back."""
    factory = cast(sessionmaker[Session], request.app.state.session_factory)
    with transaction(factory) as session:
        yield session


# scope="function": the commit happens before the response is sent, so an acknowledged
# report is stored before the client hears about it.
DbSession = Annotated[Session, Depends(get_session, scope="function")]
CurrentSettings = Annotated[Settings, Depends(get_settings)]
