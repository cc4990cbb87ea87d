"""Grid pages: area boundaries for the maps, and the administrator's areas page (upload
GeoJSON boundaries, name each area's department and supervisor)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Annotated, Any

import shapely
from fastapi import Form, Request, UploadFile
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse

from civicgrid.accounts import service as accounts
from civicgrid.accounts.deps import AdminUser
from civicgrid.audit import service as audit
from civicgrid.catalog import service as catalog
from civicgrid.deps import DbSession
from civicgrid.errors import Invalid
from civicgrid.grid import loader, service
from civicgrid.web.i18n import N_
from civicgrid.web.routing import page_router
from civicgrid.web.templating import flash, render

router = page_router(tags=["pages"])
MAP_LEVELS = 2  # the maps draw the top levels only: the finest ones are too many to read
SIMPLIFY_DEGREES = 0.0002  # about 20 m: invisible at city zoom, a tenth of the bytes
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


@router.get("/map/areas.geojson")
def map_areas(session: DbSession) -> JSONResponse:
    """Boundaries of the top levels, simplified, for drawing under the markers."""
    levels = service.list_levels(session)[:MAP_LEVELS]
    features: list[dict[str, Any]] = []
    for level in levels:
        for area in service.list_areas(session, level=level.name):
            geom = shapely.from_geojson(area.geometry).simplify(SIMPLIFY_DEGREES)
            features.append(
                {
                    "type": "Feature",
                    "geometry": json.loads(shapely.to_geojson(geom)),
                    "properties": {"name": area.name, "level": level.name, "id": area.id},
                }
            )
    body = {"type": "FeatureCollection", "features": features}
    return JSONResponse(body, headers={"Cache-Control": "public, max-age=300"})


@router.get("/admin/areas", response_class=HTMLResponse)
def areas(request: Request, session: DbSession, admin: AdminUser) -> HTMLResponse:
    """The levels and areas, who answers for each, and a form to load boundaries."""
    levels = service.list_levels(session)
    context = {
        "levels": levels,
        "level_names": {lvl.id: lvl.name for lvl in levels},
        "areas": service.list_areas(session),
        "departments": catalog.list_departments(session),
        "supervisors": [u for u in accounts.list_(session) if u.role == "supervisor"],
    }
    return render(request, "grid/areas.html", context)


@router.post("/admin/areas/upload")
def upload(
    request: Request,
    session: DbSession,
    admin: AdminUser,
    file: UploadFile,
    level: Annotated[str, Form(min_length=1, max_length=64)],
    name_property: Annotated[str, Form(min_length=1, max_length=100)],
    code_property: Annotated[str, Form(min_length=1, max_length=100)],
    parent_level: Annotated[str, Form(max_length=64)] = "",
    department_property: Annotated[str, Form(max_length=100)] = "",
) -> RedirectResponse:
    """Load an uploaded GeoJSON file as the areas of ``level`` (existing areas are updated)."""
    raw = file.file.read(MAX_UPLOAD_BYTES + 1)
    if len(raw) > MAX_UPLOAD_BYTES:
        raise Invalid("the file is larger than 50 MB; load it with `civicgrid grid load`")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "upload.geojson"
        path.write_bytes(raw)
        report = loader.load_geojson(
            session,
            path=path,
            level=level.strip(),
            name_property=name_property.strip(),
            code_property=code_property.strip(),
            parent_level=parent_level.strip() or None,
            department_property=department_property.strip() or None,
        )
    audit.record(
        session,
        actor=f"user:{admin.username}",
        action="grid.areas_loaded",
        subject=f"level:{report.level}",
        details={
            "file": file.filename,
            "created": report.created,
            "updated": report.updated,
            "skipped": len(report.skipped),
        },
    )
    flash(
        request,
        N_("Level %(level)s: %(created)s areas added, %(updated)s updated, %(skipped)s skipped."),
        level=report.level,
        created=report.created,
        updated=report.updated,
        skipped=len(report.skipped),
    )
    return RedirectResponse("/admin/areas", status_code=303)


@router.post("/admin/areas/{area_id}")
def set_responsible(
    request: Request,
    session: DbSession,
    admin: AdminUser,
    area_id: int,
    department_id: Annotated[str, Form()] = "",
    supervisor_id: Annotated[str, Form()] = "",
) -> RedirectResponse:
    """Make a department and a supervisor answerable for an area."""
    area = service.set_responsible(
        session,
        area_id=area_id,
        department_id=int(department_id) if department_id else None,
        supervisor_id=int(supervisor_id) if supervisor_id else None,
    )
    audit.record(
        session,
        actor=f"user:{admin.username}",
        action="grid.area_responsible_set",
        subject=f"area:{area.id}",
        details={"department_id": area.department_id, "supervisor_id": area.supervisor_id},
    )
    flash(request, N_("Area %(name)s saved."), name=area.name)
    return RedirectResponse("/admin/areas", status_code=303)
