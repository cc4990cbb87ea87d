"""Resident pages: report a problem (map, category questions, photos), 'is it one of these?',
the receipt and tracking page, rating, and 'me too'. Residents need no account."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile
from starlette.responses import HTMLResponse, RedirectResponse, Response

from civicgrid.accounts.deps import PageUser
from civicgrid.cases import queries, service, supporters, workflow
from civicgrid.cases.models import Case
from civicgrid.cases.schemas import CaseCreate, Channel
from civicgrid.cases.tracking import hash_resident_key, normalize_tracking_id
from civicgrid.catalog import service as catalog
from civicgrid.catalog.models import Category
from civicgrid.deps import CurrentSettings, DbSession
from civicgrid.errors import CivicgridError, Invalid
from civicgrid.photos import service as photos
from civicgrid.settings import Settings
from civicgrid.web.i18n import N_
from civicgrid.web.messages import FormInvalid
from civicgrid.web.routing import PageForm, error_message, page_router
from civicgrid.web.templating import flash, render

router = page_router(tags=["pages"])
REPORT_FIELDS = ("category", "description", "lat", "lon", "address", "name", "email", "phone")


def _number(value: Any) -> float | None:
    text = str(value or "").strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise Invalid(
            "'%(text)s' is not a coordinate; click the map or leave it empty", params={"text": text}
        ) from None


def answers_from(form: FormData, category: Category) -> dict[str, Any]:
    """The answers to the category's questions in a form (fields named ``attr.CODE``)."""
    found: dict[str, Any] = {}
    for q in category.questions:
        key = f"attr.{q.code}"
        value: Any = form.getlist(key) if q.datatype == "multivaluelist" else form.get(key)
        if value not in (None, "", []):
            found[q.code] = value
    return found


def case_data(form: FormData, category: Category, channel: Channel) -> CaseCreate:
    """A CaseCreate from a report or console form; Invalid says what to correct."""
    contact = {k: str(form.get(k) or "").strip() or None for k in ("name", "email", "phone")}
    try:
        return CaseCreate(
            category=category.code,
            description=str(form.get("description") or ""),
            lat=_number(form.get("lat")),
            lon=_number(form.get("lon")),
            address=str(form.get("address") or ""),
            channel=channel,
            attributes=answers_from(form, category),
            contact=contact if any(contact.values()) else None,
        )
    except ValidationError as exc:
        raise FormInvalid(exc.errors()) from None


def _uploads(form: FormData) -> list[UploadFile]:
    return [f for f in form.getlist("photos") if isinstance(f, UploadFile) and f.filename]


def clean_photos(form: FormData, settings: Settings) -> list[photos.CleanPhoto]:
    """The form's photos, checked and cleaned (at most three)."""
    files = _uploads(form)
    if len(files) > photos.MAX_PHOTOS:
        raise Invalid(
            "attach at most %(max_photos)s photos",
            params={"max_photos": photos.MAX_PHOTOS},
            field="photos",
        )
    return [
        photos.clean(
            f.file.read(settings.photo_max_bytes + 1),
            settings=settings,
            filename=f.filename or "photo",
        )
        for f in files
    ]


def _report_page(
    request: Request, session: DbSession, values: dict[str, Any], error: str = "", status: int = 200
) -> HTMLResponse:
    categories = catalog.list_categories(session)
    chosen = next((c for c in categories if c.code == values.get("category")), None)
    context = {"categories": categories, "chosen": chosen, "values": values, "error": error}
    return render(request, "cases/report.html", context, status_code=status)


@router.get("/report", response_class=HTMLResponse)
def report_form(
    request: Request, session: DbSession, user: PageUser, category: str = ""
) -> HTMLResponse:
    """The report form: where (map or address), what (category and its questions), photos."""
    return _report_page(request, session, {"category": category})


@router.get("/report/questions", response_class=HTMLResponse)
def questions(request: Request, session: DbSession, category: str = "") -> HTMLResponse:
    """The chosen category's questions (an htmx fragment of the report form)."""
    chosen = catalog.get_category_or_raise(session, category) if category else None
    return render(request, "cases/_questions.html", {"chosen": chosen, "values": {}})


@router.get("/report/nearby", response_class=HTMLResponse)
def nearby(
    request: Request, session: DbSession, category: str = "", lat: str = "", lon: str = ""
) -> HTMLResponse:
    """'Is it one of these?': open cases of the category near the chosen point (htmx)."""
    found: list[tuple[Case, float]] = []
    try:
        point = (_number(lat), _number(lon))
    except Invalid:
        point = (None, None)
    if category and point[0] is not None and point[1] is not None:
        chosen = catalog.get_category_or_raise(session, category)
        found = queries.nearby_open(session, category_id=chosen.id, lat=point[0], lon=point[1])
    return render(request, "cases/_nearby.html", {"nearby": found})


@router.post("/report", response_model=None)
def submit_report(
    request: Request, session: DbSession, settings: CurrentSettings, user: PageUser, form: PageForm
) -> Response:
    """File the report, store its photos, and show the receipt with the tracking link."""
    values = {k: str(form.get(k) or "") for k in REPORT_FIELDS}
    try:
        with session.begin_nested():
            category = catalog.get_category_or_raise(session, values["category"])
            data = case_data(form, category, Channel.WEB)
            cleaned = clean_photos(form, settings)
            case, key = service.create(session, data=data, settings=settings, actor="resident")
            for photo in cleaned:
                photos.store(session, case_id=case.id, photo=photo, settings=settings)
    except CivicgridError as exc:
        error = error_message(request, exc)
        return _report_page(request, session, values, error=error, status=exc.status_code)
    flash(request, N_("Thank you. Your report has been received."))
    return RedirectResponse(f"/track/{case.tracking_id}?key={key}&new=1", status_code=303)


@router.get("/track", response_model=None)
def find_case(request: Request, user: PageUser, id: str = "") -> Response:
    """The tracking form, or the page of the case whose number was typed in."""
    if id.strip():
        tracking_id = normalize_tracking_id(id)
        return RedirectResponse(f"/track/{tracking_id}", status_code=303)
    return render(request, "cases/track_form.html")


@router.get("/track/{tracking_id}", response_class=HTMLResponse)
def track(
    request: Request,
    session: DbSession,
    user: PageUser,
    tracking_id: str,
    key: str = "",
    new: bool = False,
) -> HTMLResponse:
    """A case as the public sees it: status, timeline, replies; rating for the reporter."""
    case = service.get_or_raise(session, tracking_id)
    is_reporter = bool(key) and hash_resident_key(key) == case.resident_key_hash
    context = {
        "case": case,
        "view": service.to_read(session, [case])[0],
        "events": service.timeline(session, case=case, include_internal=False),
        "photos": photos.list_(session, case_id=case.id),
        "supporters": supporters.count(session, case_id=case.id),
        "key": key if is_reporter else "",
        "new": new and is_reporter,
        "link": f"{request.base_url}track/{case.tracking_id}?key={key}" if is_reporter else "",
    }
    return render(request, "cases/track.html", context)


@router.post("/track/{tracking_id}/rating")
def rate(
    request: Request,
    session: DbSession,
    settings: CurrentSettings,
    tracking_id: str,
    form: PageForm,
) -> RedirectResponse:
    """The reporter rates the answer; 1 or 2 reopens the case."""
    case = service.get_or_raise(session, tracking_id)
    key = str(form.get("key") or "")
    try:
        rating = int(str(form.get("rating") or ""))
    except ValueError:
        raise Invalid("choose a rating from 1 to 5", field="rating") from None
    workflow.rate(
        session,
        case=case,
        rating=rating,
        comment=str(form.get("comment") or "")[:5000],
        resident_key=key,
        settings=settings,
    )
    if rating <= 2:
        flash(
            request, N_("Thank you. We are sorry the answer did not help: the case is open again.")
        )
    else:
        flash(request, N_("Thank you for your rating."))
    return RedirectResponse(f"/track/{case.tracking_id}?key={key}", status_code=303)


@router.post("/track/{tracking_id}/me-too")
def me_too(request: Request, session: DbSession, tracking_id: str) -> RedirectResponse:
    """Add 'me too' to an open case instead of filing a new report."""
    case = service.get_or_raise(session, tracking_id)
    supporters.add(session, case=case, channel="web")
    flash(request, N_("Thank you. Your report was added to this case; follow it here."))
    return RedirectResponse(f"/track/{case.tracking_id}", status_code=303)
