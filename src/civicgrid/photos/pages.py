"""Serving case photos and their thumbnails (names are random, so they cannot be guessed)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path
from starlette.responses import FileResponse

from civicgrid.deps import CurrentSettings, DbSession
from civicgrid.photos import service
from civicgrid.web.routing import page_router

router = page_router(tags=["pages"])
PhotoName = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]
CACHE = {"Cache-Control": "public, max-age=86400"}


@router.get("/photos/{name}")
def photo(name: PhotoName, session: DbSession, settings: CurrentSettings) -> FileResponse:
    """A case photo, as stored (metadata stripped)."""
    path, content_type = service.file_of(session, name=name, thumbnail=False, settings=settings)
    return FileResponse(path, media_type=content_type, headers=CACHE)


@router.get("/photos/{name}/thumb")
def thumbnail(name: PhotoName, session: DbSession, settings: CurrentSettings) -> FileResponse:
    """A case photo's thumbnail."""
    path, content_type = service.file_of(session, name=name, thumbnail=True, settings=settings)
    return FileResponse(path, media_type=content_type, headers=CACHE)
