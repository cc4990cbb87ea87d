"""Imports every slice's models so metadata (Alembic, tests) sees all tables."""

from civicgrid.accounts.models import ApiToken, User
from civicgrid.audit.models import AuditCheckpoint, AuditEntry
from civicgrid.cases.models import (
    Case,
    CaseArea,
    CaseCoHandler,
    CaseEvent,
    ContactAccess,
    ReporterContact,
)
from civicgrid.catalog.models import Category, CategoryQuestion, Department, RoutingRule
from civicgrid.grid.models import Area, AreaLevel
from civicgrid.sla.models import Calendar, Holiday, SlaPolicy

__all__ = [
    "ApiToken",
    "Area",
    "AreaLevel",
    "AuditCheckpoint",
    "AuditEntry",
    "Calendar",
    "Case",
    "CaseArea",
    "CaseCoHandler",
    "CaseEvent",
    "Category",
    "CategoryQuestion",
    "ContactAccess",
    "Department",
    "Holiday",
    "ReporterContact",
    "RoutingRule",
    "SlaPolicy",
    "User",
]
