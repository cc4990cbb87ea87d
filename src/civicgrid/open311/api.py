"""The GeoReport v2 routes under CIVICGRID_OPEN311_ROOT, each in .json and .xml.

The format comes from the extension. Every route reads its own parameters and answers every
error with the spec's ``errors`` body in the requested format (400, 403 or 404).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.routing import APIRoute
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response

from civicgrid.db import utcnow
from civicgrid.deps import CurrentSettings, DbSession, get_settings
from civicgrid.errors import CivicgridError
from civicgrid.open311 import openapi as doc
from civicgrid.open311 import queue, service, submissions, updates
from civicgrid.open311.formats import FORMATS, Format, Open311Error, render, render_error
from civicgrid.open311.params import (
    check_jurisdiction,
    reject_nul,
    request_query,
    update_window,
)
from civicgrid.open311.schemas import (
    DiscoveryOut,
    EndpointOut,
    PostedRequest,
    QueuedRequest,
    RequestOut,
    ServiceDefinitionOut,
    ServiceOut,
    TokenOut,
    UpdateOut,
    UpdatePosted,
)
from civicgrid.settings import Settings

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# CivicgridError statuses -> the spec's: key problems are 403, missing things 404, else 400.
_STATUSES = {401: 403, 403: 403, 404: 404}


class XmlDocument(Response):
    """A response in the spec's XML (the OpenAPI media type of the .xml routes)."""

    media_type = "text/xml"


class Open311Route(APIRoute):
    """Turns a domain error of the route into an Open311Error in the route's format.

    The error is raised on, not answered here, so the request's transaction still rolls back.
    (The routes declare no FastAPI parameters, so no RequestValidationError can arise.)
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        fmt: Format = "xml" if self.path.endswith(".xml") else "json"

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except Open311Error as exc:
                exc.fmt = fmt
                raise
            except CivicgridError as exc:
                status = _STATUSES.get(exc.status_code, 400)
                raise Open311Error(status, exc.message, fmt=fmt) from exc

        return route


router = APIRouter(route_class=Open311Route, tags=["open311"])


def install(app: FastAPI) -> None:
    """Serve the API under the configured root and answer its errors the spec's way."""
    settings: Settings = app.state.settings
    app.state.open311_changeset = utcnow().strftime("%Y-%m-%d %H:%M")
    app.include_router(router, prefix=settings.open311_root.rstrip("/"))

    async def open311_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Open311Error)
        fmt = exc.fmt or ("xml" if request.url.path.endswith(".xml") else "json")
        return render_error(fmt, exc.status_code, exc.description)

    app.add_exception_handler(Open311Error, open311_error)


def _base(request: Request, settings: Settings) -> str:
    return str(request.base_url).rstrip("/") + settings.open311_root


Params = dict[str, list[str]]


async def read_form(request: Request) -> tuple[Params, submissions.Upload | None]:
    """The POST's parameters (body first, then query) and its ``media`` file, if any."""
    try:
        form = await request.form(max_files=1, max_fields=1000)
    except StarletteHTTPException as exc:
        raise Open311Error(400, f"the body is not a readable form: {exc.detail}") from exc
    params: Params = {}
    upload = None
    for key, value in form.multi_items():
        if isinstance(value, UploadFile):
            if key == "media":
                upload = submissions.Upload(value.filename or "media", await value.read())
            continue
        params.setdefault(key, []).append(value)
    await form.close()
    for key, value in request.query_params.multi_items():
        params.setdefault(key, []).append(value)
    check_jurisdiction(params, request.app.state.settings)
    return params, upload


FormInput = Annotated[tuple[Params, submissions.Upload | None], Depends(read_form)]
Endpoint = Callable[[Format, Request, Any, Settings], Response]


def _route(
    path: str,
    *,
    name: str,
    ok: dict[int, tuple[str, Any]],
    errors: tuple[int, ...] = (400, 404),
    parameters: list[dict[str, Any]] | None = None,
) -> Callable[[Endpoint], Endpoint]:
    """Register a GET ``endpoint`` at ``path``.json and ``path``.xml."""

    def register(endpoint: Endpoint) -> Endpoint:
        for fmt in FORMATS:
            router.add_api_route(
                f"{path}.{fmt}",
                _bind(endpoint, fmt),
                methods=["GET"],
                name=f"open311_{name}_{fmt}",
                operation_id=f"open311_{name}_{fmt}",
                summary=f"{endpoint.__doc__} ({fmt.upper()})",
                response_class=XmlDocument if fmt == "xml" else JSONResponse,
                responses=doc.responses(fmt, ok, errors),
                openapi_extra={"parameters": [doc.JURISDICTION, *(parameters or [])]},
            )
        return endpoint

    return register


def _bind(endpoint: Endpoint, fmt: Format) -> Callable[..., Response]:
    def handler(request: Request, session: DbSession, settings: CurrentSettings) -> Response:
        query = request.query_params
        params = {k: query.getlist(k) for k in query}
        check_jurisdiction(params, settings)
        reject_nul({**params, "": list(request.path_params.values())})
        return endpoint(fmt, request, session, settings)

    return handler


@_route("/discovery", name="discovery", ok={200: ("The discovery document", DiscoveryOut)})
def discovery(fmt: Format, request: Request, _session: Any, settings: Settings) -> Response:
    """Service discovery"""
    changeset = str(request.app.state.open311_changeset)
    endpoint = EndpointOut(
        specification=SPECIFICATION,
        url=_base(request, settings).rstrip("/"),
        changeset=changeset,
        type="production",
        formats=["text/xml", "application/json"],
    )
    document = DiscoveryOut(
        changeset=changeset,
        contact=settings.open311_contact,
        key_service="API keys are issued per client application by the city's administrator "
        f"(civicgrid apikey create). {settings.open311_contact}",
        endpoints=[endpoint],
    )
    return render(fmt, "discovery", document.model_dump())


@_route("/services", name="services", ok={200: ("Every service", list[ServiceOut])})
def services(fmt: Format, _request: Request, session: Any, settings: Settings) -> Response:
    """Service list"""
    return render(fmt, "services", service.list_services(session, settings=settings))


@_route(
    "/services/{service_code}",
    name="service_definition",
    ok={200: ("The service's attributes", ServiceDefinitionOut)},
    parameters=[doc.param("service_code", "A service_code from services", where="path")],
)
def service_definition(
    fmt: Format, request: Request, session: Any, _settings: Settings
) -> Response:
    """Service definition"""
    code = str(request.path_params["service_code"])
    return render(fmt, "service_definition", service.service_definition(session, code=code))


@_route(
    "/requests",
    name="requests",
    ok={200: ("Matching requests, newest first", list[RequestOut])},
    parameters=doc.REQUEST_FILTERS,
)
def requests(fmt: Format, request: Request, session: Any, settings: Settings) -> Response:
    """Service requests"""
    query = request_query(request.query_params)
    found = service.find_requests(session, query=query, now=utcnow())
    presenter = service.Presenter(session, settings, photo_base=str(request.base_url) + "photos/")
    return render(fmt, "service_requests", presenter.requests(found))


@_route(
    "/requests/{service_request_id}",
    name="request",
    ok={200: ("The request (a list of one)", list[RequestOut])},
    parameters=[doc.param("service_request_id", "The tracking id", where="path")],
)
def request_(fmt: Format, request: Request, session: Any, settings: Settings) -> Response:
    """Service request"""
    srid = str(request.path_params["service_request_id"])
    case = service.get_request(session, service_request_id=srid)
    presenter = service.Presenter(session, settings, photo_base=str(request.base_url) + "photos/")
    return render(fmt, "service_requests", presenter.requests([case]))


@_route(
    "/tokens/{token}",
    name="token",
    ok={200: ("The token and, once filed, its service_request_id", list[TokenOut])},
    parameters=[doc.param("token", "A token from POST requests", where="path")],
)
def token(fmt: Format, request: Request, session: Any, _settings: Settings) -> Response:
    """Service request id from a token"""
    answer = queue.token_answer(session, token=str(request.path_params["token"]))
    return render(fmt, "service_requests", answer)


@_route(
    "/servicerequestupdates",
    name="updates",
    ok={200: ("Public updates in the window, oldest first", list[UpdateOut])},
    parameters=[
        doc.param("api_key", "Accepted and ignored: updates are public."),
        *doc.DATES,
        *doc.PAGING,
    ],
)
def list_updates(fmt: Format, request: Request, session: Any, settings: Settings) -> Response:
    """Service request updates (FixMyStreet)"""
    start, end, page, page_size = update_window(request.query_params, now=utcnow())
    found = updates.list_updates(
        session, start=start, end=end, page=page, page_size=page_size, settings=settings
    )
    return render(fmt, "service_request_updates", found)


def _post_requests(fmt: Format) -> Callable[..., Response]:
    def post_request(request: Request, form: FormInput, session: DbSession) -> Response:
        # The settings straight from the app, not as a dependency: a plain function dependency
        # costs a trip through the thread pool, and every filing counts.
        settings = get_settings(request)
        params, upload = form
        key = (
            request.headers.get("idempotency-key")
            or submissions.first(params, "idempotency_key")
            or submissions.first(params, "token")
        )
        answer = submissions.submit(
            session,
            params=params,
            upload=upload,
            idempotency_key=key,
            settings=settings,
            now=utcnow(),
        )
        headers = {"Idempotent-Replayed": "true"} if answer.replayed else None
        return render(
            fmt, "service_requests", answer.body, status_code=answer.status_code, headers=headers
        )

    return post_request


def _post_updates(fmt: Format) -> Callable[..., Response]:
    def post_update(form: FormInput, session: DbSession, settings: CurrentSettings) -> Response:
        answer = updates.post_update(session, params=form[0], settings=settings, now=utcnow())
        return render(fmt, "service_request_updates", answer.body, status_code=answer.status_code)

    return post_update


def _not_allowed(fmt: Format) -> Callable[[], Response]:
    def not_allowed() -> Response:
        response = render_error(fmt, 405, "this resource answers GET and POST only")
        response.headers["Allow"] = "GET, HEAD, POST"
        return response

    return not_allowed


# Paths with a GET and a POST route: Starlette would name only the first one in the Allow
# header of its 405, so other methods get this route instead (not part of the API).
_OTHER_METHODS = ["PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]

for _fmt in FORMATS:
    for _path in ("/requests", "/servicerequestupdates"):
        router.add_api_route(
            f"{_path}.{_fmt}",
            _not_allowed(_fmt),
            methods=_OTHER_METHODS,
            include_in_schema=False,
            name=f"open311_not_allowed{_path.replace('/', '_')}_{_fmt}",
        )
    router.add_api_route(
        f"/requests.{_fmt}",
        _post_requests(_fmt),
        methods=["POST"],
        name=f"open311_post_request_{_fmt}",
        operation_id=f"open311_post_request_{_fmt}",
        summary=f"Create a service request ({_fmt.upper()})",
        status_code=201,
        response_class=XmlDocument if _fmt == "xml" else JSONResponse,
        responses=doc.responses(
            _fmt,
            {
                201: ("Filed: its service_request_id", list[PostedRequest]),
                202: ("Queued: a token for tokens/{token}", list[QueuedRequest]),
            },
            (400, 403, 404),
        ),
        openapi_extra={"parameters": [doc.IDEMPOTENCY_KEY], "requestBody": doc.REQUEST_BODY},
    )
    router.add_api_route(
        f"/servicerequestupdates.{_fmt}",
        _post_updates(_fmt),
        methods=["POST"],
        name=f"open311_post_update_{_fmt}",
        operation_id=f"open311_post_update_{_fmt}",
        summary=f"Post an update to a request, FixMyStreet's extension ({_fmt.upper()})",
        response_class=XmlDocument if _fmt == "xml" else JSONResponse,
        responses=doc.responses(
            _fmt, {200: ("civicgrid's id of the update", list[UpdatePosted])}, (400, 403, 404)
        ),
        openapi_extra={"requestBody": doc.UPDATE_BODY},
    )
