"""The application factory: builds engine, routers and jobs; nothing happens at import time."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException

from civicgrid import __version__
from civicgrid.db import make_engine, make_session_factory
from civicgrid.deps import DbSession
from civicgrid.errors import (
    CivicgridError,
    document_framework_errors,
    http_error_body,
    validation_error_body,
)
from civicgrid.jobs import JobRunner
from civicgrid.settings import Settings

SWAGGER_UI = "/static/vendor/swagger-ui"  # copied from npm's swagger-ui-dist by `make install`


def create_app(
    settings: Settings | None = None, *, session_factory: sessionmaker[Session] | None = None
) -> FastAPI:
    """Build the civicgrid web application for ``settings``."""
    settings = settings or Settings()
    logging.basicConfig(level=settings.log_level)
    if session_factory is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        session_factory = make_session_factory(make_engine(settings.resolved_database_url))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runner = JobRunner(session_factory, settings) if settings.embedded_worker else None
        if runner:
            runner.start()
        yield
        if runner:
            runner.stop()

    app = FastAPI(
        title="civicgrid",
        version=__version__,
        description="Responsive city governance: report, route, resolve, account.",
        lifespan=lifespan,
        docs_url=None,  # served below from the npm-installed Swagger UI, never from a CDN
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.session_factory = session_factory
    _install_error_handlers(app)
    _include_routers(app)
    from civicgrid.web.pages import install as install_web_pages  # noqa: PLC0415

    install_web_pages(app, settings)
    return app


def _include_routers(app: FastAPI) -> None:
    from civicgrid.cases.api import router as cases_router  # noqa: PLC0415
    from civicgrid.catalog.api import router as catalog_router  # noqa: PLC0415
    from civicgrid.grid.api import router as grid_router  # noqa: PLC0415
    from civicgrid.replyquality.api import router as reply_quality_router  # noqa: PLC0415
    from civicgrid.triage.api import router as triage_router  # noqa: PLC0415

    for router in (cases_router, catalog_router, grid_router, reply_quality_router, triage_router):
        app.include_router(router, prefix="/api/v1")
    from civicgrid.accountability.api import open_data as open_data_router  # noqa: PLC0415
    from civicgrid.accountability.api import router as accountability_router  # noqa: PLC0415

    for router in (accountability_router, open_data_router):
        app.include_router(router, prefix="/api/v1")
    from civicgrid.open311.api import install as install_open311  # noqa: PLC0415

    install_open311(app)

    @app.get("/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        """The interactive API documentation, its Swagger UI served by civicgrid itself."""
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title="civicgrid API",
            swagger_js_url=f"{SWAGGER_UI}/swagger-ui-bundle.js",
            swagger_css_url=f"{SWAGGER_UI}/swagger-ui.css",
            swagger_favicon_url=f"{SWAGGER_UI}/favicon-32x32.png",
        )

    @app.get("/healthz", tags=["health"])
    def healthz(session: DbSession) -> dict[str, str]:
        """Liveness and database reachability."""
        session.execute(text("SELECT 1"))
        return {"status": "ok", "version": __version__}


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(CivicgridError)
    async def domain_error(_request: Request, exc: CivicgridError) -> JSONResponse:
        return JSONResponse(exc.body(), status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(validation_error_body(exc.errors()), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # Unknown paths, wrong methods, unreadable bodies: the same error body as ours.
        body = http_error_body(exc.status_code, str(exc.detail))
        return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)

    def openapi() -> dict[str, Any]:
        return document_framework_errors(FastAPI.openapi(app))

    app.openapi = openapi  # type: ignore[method-assign]
