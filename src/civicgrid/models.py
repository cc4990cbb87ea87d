"""Imports every slice's models so metadata (Alembic, tests) sees all tables."""

from civicgrid.accountability.models import AggregateState, MonthlyFigure
from civicgrid.accounts.models import ApiToken, LoginFailure, User
from civicgrid.audit.models import AuditCheckpoint, AuditEntry
from civicgrid.cases.models import (
    Case,
    CaseArea,
    CaseCoHandler,
    CaseEvent,
    ContactAccess,
    ReporterContact,
)
from civicgrid.cases.supporters import CaseSupporter
from civicgrid.catalog.models import Category, CategoryQuestion, Department, RoutingRule
from civicgrid.grid.models import Area, AreaLevel
from civicgrid.open311.models import Open311ApiKey, Open311Submission
from civicgrid.photos.models import Photo
from civicgrid.replies.models import ReplyTemplate
from civicgrid.replyquality.models import ReplyAssessment
from civicgrid.sla.models import Calendar, Holiday, SlaPolicy
from civicgrid.triage.models import (
    CaseMerge,
    CategoryTriage,
    DuplicateSuggestion,
    Suggestion,
    TriageModel,
)

__all__ = [
    "AggregateState",
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
    "CaseMerge",
    "CaseSupporter",
    "Category",
    "CategoryQuestion",
    "CategoryTriage",
    "ContactAccess",
    "Department",
    "DuplicateSuggestion",
    "Holiday",
    "LoginFailure",
    "MonthlyFigure",
    "Open311ApiKey",
    "Open311Submission",
    "Photo",
    "ReplyAssessment",
    "ReplyTemplate",
    "ReporterContact",
    "RoutingRule",
    "SlaPolicy",
    "Suggestion",
    "TriageModel",
    "User",
]
