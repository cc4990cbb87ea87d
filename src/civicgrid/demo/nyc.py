"""New York reference data for the demo: agencies, category groups, deadlines, district names."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_DEPARTMENT = ("311", "NYC 311 Customer Service Center")
"""Where a case goes when no routing rule or area names a department."""

AGENCIES: dict[str, tuple[str, str]] = {
    "NYPD": ("New York City Police Department", "Noise and public safety"),
    "HPD": ("Department of Housing Preservation and Development", "Housing"),
    "DSNY": ("Department of Sanitation", "Sanitation"),
    "DEP": ("Department of Environmental Protection", "Water and environment"),
    "DOT": ("Department of Transportation", "Streets and transport"),
    "DPR": ("Department of Parks and Recreation", "Parks and trees"),
    "DOHMH": ("Department of Health and Mental Hygiene", "Health"),
    "DOB": ("Department of Buildings", "Buildings"),
    "DHS": ("Department of Homeless Services", "Homelessness"),
    "TLC": ("Taxi and Limousine Commission", "Consumers and licensing"),
    "DCWP": ("Department of Consumer and Worker Protection", "Consumers and licensing"),
    "OOS": ("Office of the Sheriff", "Noise and public safety"),
    "EDC": ("Economic Development Corporation", "Streets and transport"),
    "DFTA": ("Department for the Aging", "Social services"),
    "HRA": ("Human Resources Administration", "Social services"),
    "DOE": ("Department of Education", "Social services"),
    "OTI": ("Office of Technology and Innovation", "Streets and transport"),
}
"""Agency code -> (full name, category group of the complaints it handles)."""

OTHER_GROUP = "Other"


@dataclass(frozen=True)
class Targets:
    """An SLA policy's targets for one category group."""

    unit: str
    first_response: float
    resolution: float
    priority: int


GROUP_TARGETS: dict[str, Targets] = {
    # Noise and safety complaints are urgent: hours, not days.
    "Noise and public safety": Targets("working_hours", 2, 8, 1),
    "Homelessness": Targets("working_hours", 4, 16, 1),
    "Housing": Targets("working_days", 1, 10, 2),
    "Health": Targets("working_days", 1, 10, 2),
    "Water and environment": Targets("working_days", 1, 7, 2),
    "Sanitation": Targets("working_days", 1, 5, 3),
    "Streets and transport": Targets("working_days", 2, 15, 3),
    "Buildings": Targets("working_days", 2, 20, 3),
    "Parks and trees": Targets("working_days", 2, 20, 4),
    "Consumers and licensing": Targets("working_days", 3, 30, 4),
    "Social services": Targets("working_days", 2, 15, 3),
}
DEFAULT_TARGETS = Targets("working_days", 2, 10, 3)
"""The default policy, for categories of no group above."""

CALENDAR = "New York City"

BOROUGHS = {1: "Manhattan", 2: "Bronx", 3: "Brooklyn", 4: "Queens", 5: "Staten Island"}
"""BoroCode -> name, as in the city's boundary files."""
DISTRICT_COUNTS = {1: 12, 2: 12, 3: 18, 4: 14, 5: 3}
"""Community districts per borough; higher numbers are joint interest areas."""

JOINT_INTEREST_AREAS = {
    164: "Central Park",
    226: "Van Cortlandt Park",
    227: "Bronx Park",
    228: "Pelham Bay Park",
    355: "Prospect Park",
    356: "Gateway National Recreation Area",
    480: "LaGuardia Airport",
    481: "Flushing Meadows-Corona Park",
    482: "Forest Park",
    483: "JFK International Airport",
    484: "Gateway National Recreation Area",
    595: "Gateway National Recreation Area",
}


def group_for(agency: str) -> str:
    """The category group of complaints an agency handles."""
    return AGENCIES.get(agency, ("", OTHER_GROUP))[1]


def district_name(boro_cd: int) -> str:
    """ "Brooklyn CD 11" for 311; 164, 226 or 355 are joint interest areas (parks, airports)."""
    code, number = divmod(boro_cd, 100)
    borough = BOROUGHS.get(code, f"Borough {code}")
    if boro_cd in JOINT_INTEREST_AREAS or number >= 55 or number > DISTRICT_COUNTS.get(code, 99):
        place = JOINT_INTEREST_AREAS.get(boro_cd)
        suffix = f" ({place})" if place else ""
        return f"{borough} joint interest area {number}{suffix}"
    return f"{borough} CD {number}"
