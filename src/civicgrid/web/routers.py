"""Every slice's HTML router, in one list, registered explicitly (never by import side effect)."""

from __future__ import annotations

from fastapi import APIRouter


def html_routers() -> list[APIRouter]:
    """The page routers of the slices: resident pages, staff pages, then administration."""
    from civicgrid.accountability.pages import router as performance  # noqa: PLC0415
    from civicgrid.accounts.pages import router as accounts  # noqa: PLC0415
    from civicgrid.cases.console_pages import router as console  # noqa: PLC0415
    from civicgrid.cases.pages import router as resident  # noqa: PLC0415
    from civicgrid.cases.staff_pages import router as staff  # noqa: PLC0415
    from civicgrid.cases.supervisor_pages import router as supervisor  # noqa: PLC0415
    from civicgrid.catalog.pages import router as catalog  # noqa: PLC0415
    from civicgrid.grid.pages import router as grid  # noqa: PLC0415
    from civicgrid.open311.pages import router as open311  # noqa: PLC0415
    from civicgrid.photos.pages import router as photos  # noqa: PLC0415
    from civicgrid.replies.pages import router as replies  # noqa: PLC0415
    from civicgrid.sla.pages import router as sla  # noqa: PLC0415
    from civicgrid.triage.pages import router as triage  # noqa: PLC0415
    from civicgrid.web.pages import router as web  # noqa: PLC0415

    pages = [web, resident, photos, performance, triage, accounts, console, staff, supervisor]
    return [*pages, grid, catalog, sla, replies, open311]
