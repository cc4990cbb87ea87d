"""HTML routes: CSRF checked on every unsafe request, domain errors rendered as a page.

The JSON API keeps the one JSON error body (app.py); these routes turn the same errors into
an HTML page in the reader's language, and a missing login into a redirect to the login page.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from civicgrid.errors import CivicgridError
from civicgrid.web.i18n import N_
from civicgrid.web.messages import error_text, validation_text
from civicgrid.web.security import verify_csrf
from civicgrid.web.templating import locale_of, render


class LoginRequired(CivicgridError):
    """A staff page was asked for without a login."""

    status_code = 401
    code = "unauthenticated"


ERROR_TITLES = {
    400: N_("The request could not be read"),
    401: N_("Please log in"),
    403: N_("Not allowed"),
    404: N_("Not found"),
    409: N_("That is not possible now"),
    422: N_("Please check what you entered"),
}


def error_page(request: Request, status_code: int, message: str, code: str) -> Response:
    """The HTML page for an error: its title by status, the message that says what to fix.

    ``message`` is already in the reader's language (``page_error`` translates domain errors).
    """
    title = ERROR_TITLES.get(status_code, ERROR_TITLES[400])
    return render(
        request,
        "web/error.html",
        {"title": title, "message": message, "code": code, "status": status_code},
        status_code=status_code,
    )


def error_message(request: Request, error: CivicgridError) -> str:
    """A domain error's message in the language of ``request``'s page."""
    return error_text(locale_of(request), error)


def page_error(request: Request, error: CivicgridError) -> Response:
    """The HTML page for a domain error, in the reader's language."""
    return error_page(request, error.status_code, error_message(request, error), error.code)


class HtmlRoute(APIRoute):
    """A route that answers with HTML, errors included."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """Wrap FastAPI's handler so domain and validation errors become pages."""
        handler = super().get_route_handler()

        async def html_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except LoginRequired as exc:
                if request.method == "GET":
                    query = f"?{request.url.query}" if request.url.query else ""
                    target = quote(request.url.path + query, safe="")
                    return RedirectResponse(f"/login?next={target}", status_code=303)
                return page_error(request, exc)
            except CivicgridError as exc:
                return page_error(request, exc)
            except RequestValidationError as exc:
                message = validation_text(locale_of(request), exc.errors())
                return error_page(request, 422, message, "invalid")

        return html_handler


def page_router(**kwargs: Any) -> APIRouter:
    """A router of HTML pages: hidden from the OpenAPI document, CSRF on unsafe methods."""
    return APIRouter(
        route_class=HtmlRoute,
        include_in_schema=False,
        dependencies=[Depends(verify_csrf)],
        **kwargs,
    )


async def form_data(request: Request) -> FormData:
    """The request's form (parsed once, shared with CSRF check), for fields named at run time."""
    return await request.form()


PageForm = Annotated[FormData, Depends(form_data)]
