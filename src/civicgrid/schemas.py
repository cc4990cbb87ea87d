"""Pydantic building blocks shared by the slices' schemas and routes (Pydantic only).

PostgreSQL refuses text holding NUL characters (and psycopg raises before sending it), so
every free-text input declares that it has none: a client learns it from the OpenAPI, and a
request that carries one gets a 422 naming the field instead of a server error.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

NO_NUL = r"^[^\x00]*$"
"""Pattern of text without NUL characters; use it on Query/Path/Field string inputs."""

Text = Annotated[str, Field(pattern=NO_NUL)]
"""Free text as a person writes it: anything but NUL characters."""
