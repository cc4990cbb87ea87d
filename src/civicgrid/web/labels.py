"""Words people read for the codes of statuses, timeline entries, roles and deadline states."""

from __future__ import annotations

from civicgrid.web.i18n import N_

STATUS = {
    "new": N_("New"),
    "acknowledged": N_("Acknowledged"),
    "in_progress": N_("In progress"),
    "waiting": N_("Waiting"),
    "resolved": N_("Resolved"),
    "closed": N_("Closed"),
    "reopened": N_("Reopened"),
}
EVENT = {
    "filed": N_("Report received"),
    "status_changed": N_("Status changed"),
    "transferred": N_("Transferred"),
    "co_handling": N_("Co-handling requested"),
    "note": N_("Internal note"),
    "reply": N_("Reply from the city"),
    "rated": N_("Rated"),
    "me_too": N_("Also reported by another resident"),
    "escalated": N_("Escalated"),
    "sla_warning": N_("Deadline warning"),
    "sla_breached": N_("Deadline missed"),
}
ROLE = {
    "operator": N_("Operator"),
    "caseworker": N_("Caseworker"),
    "supervisor": N_("Supervisor"),
    "command": N_("Command centre"),
    "administrator": N_("Administrator"),
}
CHANNEL = {
    "web": N_("Web"),
    "api": N_("App"),
    "phone": N_("Phone"),
    "import": N_("Import"),
    "sensor": N_("Sensor"),
}
