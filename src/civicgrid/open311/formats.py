"""The spec's two formats: JSON, and XML by the Spark convention's rules read backwards.

JSON_and_XML_Conversion: a container element whose children all share one name becomes a JSON
array, and the root element is dropped. So an array named ``services`` is written as
``<services><service>...</service></services>``, an object as one element per key, null as an
empty element and booleans as ``true``/``false``.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from typing import Any, Literal

from starlette.responses import Response

Format = Literal["json", "xml"]
FORMATS: tuple[Format, ...] = ("json", "xml")
MEDIA_TYPES: dict[Format, str] = {"json": "application/json", "xml": "text/xml"}

# Container -> the name of its repeated child, as FixMyStreet's client expects them
# (its XML::Simple ForceArray / GroupTags list: service, attribute, value, request, error,
# request_update), plus the discovery document's endpoints and formats.
ITEM_NAMES = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "service_requests": "request",
    "errors": "error",
    "service_request_updates": "request_update",
    "endpoints": "endpoint",
    "formats": "format",
}

# Characters XML 1.0 cannot carry at all (most C0 controls, lone surrogates, U+FFFE/F).
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class Open311Error(Exception):
    """An error answered with the spec's ``errors`` body: 400, 403 or 404."""

    def __init__(self, status_code: int, description: str, *, fmt: Format | None = None) -> None:
        super().__init__(description)
        self.status_code = status_code
        self.description = description
        self.fmt = fmt


def error_body(status_code: int, description: str) -> list[dict[str, Any]]:
    """The spec's errors list; ``code`` repeats the HTTP status, as the spec's examples do."""
    return [{"code": status_code, "description": description}]


def to_json(data: Any) -> bytes:
    """Compact UTF-8 JSON; NaN and infinities are refused rather than written as non-JSON."""
    return json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


def to_xml(root: str, data: Any) -> bytes:
    """The XML document for ``data`` under the element ``root``."""
    element = _element(root, data)
    ET.indent(element)
    body = ET.tostring(element, encoding="unicode")
    return f'<?xml version="1.0" encoding="utf-8"?>\n{body}\n'.encode()


def _element(name: str, value: Any) -> ET.Element:
    element = ET.Element(name)
    if isinstance(value, list):
        child = ITEM_NAMES[name]
        element.extend(_element(child, item) for item in value)
    elif isinstance(value, dict):
        element.extend(_element(key, item) for key, item in value.items())
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = _NOT_XML.sub("\ufffd", str(value))
    return element


def render(
    fmt: Format,
    root: str,
    data: Any,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """``data`` as the response in ``fmt``; ``root`` names the XML root element."""
    content = to_json(data) if fmt == "json" else to_xml(root, data)
    return Response(
        content,
        status_code=status_code,
        media_type=f"{MEDIA_TYPES[fmt]}; charset=utf-8",
        headers=headers,
    )


def render_error(fmt: Format, status_code: int, description: str) -> Response:
    """The spec's errors body in ``fmt``."""
    return render(fmt, "errors", error_body(status_code, description), status_code=status_code)
