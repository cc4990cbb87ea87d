"""Domain errors and form validation problems in the reader's language.

Services raise ``civicgrid.errors`` errors with a message id (marked ``N_``) and parameters;
the JSON API and the command line show the English text, and the pages translate the id here
and fill in the same parameters. Pydantic's validation errors are translated by their type.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from babel.support import NullTranslations

from civicgrid.errors import N_, CivicgridError, Invalid, format_message
from civicgrid.web import labels
from civicgrid.web.i18n import translations

# Parameters of domain errors that hold codes of statuses or roles: shown as their labels.
PARAM_LABELS = {
    "status": labels.STATUS,
    "to_status": labels.STATUS,
    "allowed": labels.STATUS,
    "role": labels.ROLE,
}
LIST_SEPARATOR = {"zh_CN": "、"}

# Pydantic's error types, by what the reader has to change; the rest keep pydantic's words.
VALIDATION = {
    "missing": N_("this field is required"),
    "string_too_short": N_("needs at least %(min_length)s characters"),
    "string_too_long": N_("may have at most %(max_length)s characters"),
    "too_short": N_("needs at least %(min_length)s items"),
    "too_long": N_("may have at most %(max_length)s items"),
    "greater_than_equal": N_("must be at least %(ge)s"),
    "less_than_equal": N_("must be at most %(le)s"),
    "greater_than": N_("must be more than %(gt)s"),
    "less_than": N_("must be less than %(lt)s"),
    "float_parsing": N_("must be a number"),
    "float_type": N_("must be a number"),
    "int_parsing": N_("must be a whole number"),
    "int_type": N_("must be a whole number"),
    "int_from_float": N_("must be a whole number"),
    "bool_parsing": N_("must be yes or no"),
    "string_pattern_mismatch": N_("has characters that are not allowed here"),
    "enum": N_("must be one of %(expected)s"),
    "literal_error": N_("must be one of %(expected)s"),
    "date_from_datetime_parsing": N_("must be a date such as 2026-06-01"),
    "date_parsing": N_("must be a date such as 2026-06-01"),
    "datetime_parsing": N_("must be a date and time such as 2026-06-01T09:00"),
    "datetime_from_date_parsing": N_("must be a date and time such as 2026-06-01T09:00"),
}
# The names of form fields in the messages (the same words as the forms' labels).
FIELDS = {
    "address": N_("Address"),
    "body": N_("Text"),
    "category": N_("Category"),
    "description": N_("Description"),
    "email": N_("E-mail"),
    "contact.email": N_("E-mail"),
    "lat": N_("Latitude"),
    "lon": N_("Longitude"),
    "name": N_("Name"),
    "contact.name": N_("Name"),
    "password": N_("Password"),
    "phone": N_("Phone"),
    "contact.phone": N_("Phone"),
    "reason": N_("Reason"),
    "username": N_("Username"),
}


class FormInvalid(Invalid):
    """A form's values broke a schema's rules; ``problems`` are pydantic's errors."""

    def __init__(self, problems: Sequence[Mapping[str, Any]]) -> None:
        self.problems = [dict(p) for p in problems]
        super().__init__(
            "%(problems)s",
            params={"problems": "; ".join(_english(p) for p in self.problems)},
        )


def _where(problem: Mapping[str, Any]) -> str:
    return ".".join(str(p) for p in problem.get("loc", ()) if p not in ("body", "query", "path"))


def _english(problem: Mapping[str, Any]) -> str:
    where = _where(problem)
    message = str(problem.get("msg", "")).removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


def validation_text(locale: str, problems: Sequence[Mapping[str, Any]]) -> str:
    """Pydantic's validation errors as one line in ``locale``: field, then what to change."""
    catalogue = translations(locale)
    parts = []
    for problem in problems:
        text = _problem_text(catalogue, problem)
        where = _where(problem)
        label = FIELDS.get(where) or FIELDS.get(where.rsplit(".", 1)[-1])
        shown = catalogue.gettext(label) if label else where
        parts.append(f"{shown}: {text}" if shown else text)
    return "; ".join(parts)


def _problem_text(catalogue: NullTranslations, problem: Mapping[str, Any]) -> str:
    kind = str(problem.get("type", ""))
    context = dict(problem.get("ctx") or {})
    try:
        if kind in VALIDATION and (context or "%(" not in VALIDATION[kind]):
            return format_message(catalogue.gettext(VALIDATION[kind]), _plain(context))
        if kind == "value_error" and "error" in context:
            return catalogue.gettext(str(context["error"]))  # a validator's N_-marked message
    except (KeyError, TypeError, ValueError):  # pydantic's context lacks a placeholder
        pass
    return str(problem.get("msg", "")).removeprefix("Value error, ")


def _plain(context: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v if isinstance(v, int | float | str) else str(v) for k, v in context.items()}


def error_text(locale: str, error: CivicgridError) -> str:
    """A domain error's message in ``locale``: its id translated, its parameters filled in.

    Parameters that are codes of statuses or roles are shown as their translated labels
    (in English the codes themselves: "a case that is resolved cannot become waiting").
    """
    if isinstance(error, FormInvalid):
        return validation_text(locale, error.problems)
    if locale == "en":  # the message ids are English; codes read well in a sentence
        return error.message
    catalogue = translations(locale)
    separator = LIST_SEPARATOR.get(locale, ", ")
    params: dict[str, Any] = {}
    for name, value in error.params.items():
        words = PARAM_LABELS.get(name, {})
        if isinstance(value, list | tuple):
            params[name] = separator.join(catalogue.gettext(words.get(v, str(v))) for v in value)
        elif isinstance(value, str) and value in words:
            params[name] = catalogue.gettext(words[value])
        else:
            params[name] = value
    try:
        return format_message(catalogue.gettext(error.message_id), params)
    except (KeyError, TypeError, ValueError):  # a catalogue entry with broken placeholders
        return error.message
