"""Importing exports through the bundled mappings: placement, routing, deadlines, histories."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civicgrid.cases.models import Case, CaseArea, CaseEvent
from civicgrid.catalog.models import Category, Department, RoutingRule
from civicgrid.errors import Invalid
from civicgrid.intake.importer import import_file
from civicgrid.intake.mapping import parse_mapping
from civicgrid.settings import Settings
from tests import factories
from tests.intake.conftest import NYC_HEADER, Grid, nyc_row, read_rejects, write_csv


def case(session: Session, source: str, external_id: str) -> Case:
    found = session.scalar(
        select(Case).where(Case.source == source, Case.external_id == external_id)
    )
    assert found is not None
    return found


def timeline(session: Session, case_id: int) -> list[tuple[str, str | None, str | None]]:
    events = session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)
    )
    return [(e.kind, e.from_status, e.to_status) for e in events]


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_nyc_rows_are_placed_routed_given_deadlines_and_histories(
    session: Session, settings: Settings, grid: Grid, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "nyc.csv", NYC_HEADER, [
        nyc_row("1"),
        nyc_row("2", agency="DOT", agency_name="Department of Transportation",
                complaint_type="Street Condition", descriptor="Pothole", status="Open",
                closed_date="", resolution_action_updated_date="2024-04-16T08:00:00.000",
                resolution_description="Referred to the maintenance unit.",
                latitude="40.7500", longitude="-73.8500"),
        nyc_row("3", status="In Progress", closed_date="",
                resolution_action_updated_date="2024-04-16T09:30:00.000",
                resolution_description=""),
        nyc_row("4", latitude="", longitude="", status="Assigned", closed_date=""),
        nyc_row("5", latitude="41.9", longitude="-72.5"),
    ])  # fmt: skip
    report = import_file(session, path=path, mapping="nyc311", settings=settings)
    assert (report.read, report.imported, report.rejected, report.outside_grid) == (5, 5, 0, 2)
    assert report.rejects_path is None
    assert not (tmp_path / "rejects").exists()
    assert sorted(report.departments_created) == ["DOT", "NYPD"]
    assert sorted(report.categories_created) == ["noise-residential", "street-condition"]

    closed = case(session, "nyc311", "1")
    nypd = session.scalar(select(Department).where(Department.code == "NYPD"))
    assert nypd is not None
    assert nypd.name == "New York City Police Department"
    assert closed.department_id == nypd.id
    assert (closed.status, closed.channel, closed.area_id) == (
        "closed",
        "phone",
        grid.west["nyc"].id,
    )
    assert closed.h3_cell is not None
    assert not closed.outside_grid
    areas = set(session.scalars(select(CaseArea.area_id).where(CaseArea.case_id == closed.id)))
    assert areas == {grid.west["nyc"].id, grid.cities["nyc"].id}
    assert closed.created_at == datetime(2024, 4, 16, 2, 51, tzinfo=UTC)
    done = datetime(2024, 4, 16, 5, 10, tzinfo=UTC)
    assert closed.first_response_at == closed.resolved_at == closed.closed_at == done
    assert timeline(session, closed.id) == [
        ("filed", None, "new"),
        ("status_changed", "new", "resolved"),
        ("reply", None, None),
        ("status_changed", "resolved", "closed"),
    ]
    reply = session.scalar(
        select(CaseEvent).where(CaseEvent.case_id == closed.id, CaseEvent.kind == "reply")
    )
    assert reply is not None
    assert reply.public
    assert reply.body.startswith("The Police Department")
    # Filed on a Monday night: 8 working hours run from Tuesday 09:00 to 17:00 New York time.
    assert closed.sla_policy_id is not None
    assert closed.first_response_due == datetime(2024, 4, 16, 21, tzinfo=UTC)
    assert closed.resolution_due is not None
    assert closed.resolution_due > done
    assert not closed.first_response_breached
    assert not closed.resolution_breached

    pothole = case(session, "nyc311", "2")
    assert (pothole.status, pothole.area_id, pothole.first_response_at) == (
        "new", grid.east["nyc"].id, None)  # fmt: skip
    assert timeline(session, pothole.id) == [("filed", None, "new"), ("reply", None, None)]

    working = case(session, "nyc311", "3")
    assert working.first_response_at == datetime(2024, 4, 16, 13, 30, tzinfo=UTC)
    assert timeline(session, working.id)[1] == ("status_changed", "new", "in_progress")

    nowhere = case(session, "nyc311", "4")
    assert nowhere.outside_grid
    assert nowhere.lat is None
    assert nowhere.area_id is None
    assert nowhere.status == "acknowledged"
    assert case(session, "nyc311", "5").outside_grid

    rule = session.scalar(
        select(RoutingRule).join(Category).where(Category.code == "street-condition")
    )
    assert rule is not None
    assert rule.area_id is None
    assert rule.department_id == pothole.department_id


def test_sf_rows(session: Session, settings: Settings, grid: Grid, tmp_path: Path) -> None:
    header = ["", "CaseID", "Opened", "Closed", "Updated", "Status", "Status.Notes",
              "Responsible.Agency", "Category", "Request.Type", "Request.Details", "Address",
              "Supervisor.District", "Neighborhood", "Point", "Source", "Media.URL"]  # fmt: skip
    path = write_csv(tmp_path / "sf.csv", header, [
        ["552109", "3600298", "04/30/2014 02:51:52 PM", "", "04/30/2014 03:37:59 PM", "Open",
         "Open", "PUC - Sewer - G", "Sewer Issues", "Odor", "From_other_location",
         "420 BERRY ST, SAN FRANCISCO, CA, 94107", "6", "Mission Bay",
         "(37.774007256355, -122.395680023339)", "Voice In", ""],
        ["942055", "1167331", "07/15/2012 08:08:00 AM", "07/17/2012 08:15:00 PM",
         "07/17/2012 08:15:00 PM", "Closed", "", "DPW Ops Queue",
         "Street and Sidewalk Cleaning", "Sidewalk_Cleaning", "Furniture",
         "1671 25TH AVE, SAN FRANCISCO, CA, 94122", "4", "Outer Sunset",
         "(37.756367202, -122.48340075)", "Open311", ""],
        ["7721", "5489340", "01/21/2016 02:27:45 PM", "01/20/2016 01:25:00 AM", "", "Closed",
         "", "DPW BSSR Queue", "Street Defects", "Pavement_Defect", "", "", "3", "", "",
         "Voice In", ""],
    ])  # fmt: skip
    report = import_file(session, path=path, mapping="sf311", settings=settings)
    assert (report.imported, report.rejected) == (2, 1)
    assert report.reject_reasons == {"closed before created": 1}
    odor = case(session, "sf311", "3600298")
    assert (odor.status, odor.channel, odor.area_id) == ("new", "phone", grid.east["sf"].id)
    assert odor.created_at == datetime(2014, 4, 30, 21, 51, 52, tzinfo=UTC)
    assert odor.attributes["Neighborhood"] == "Mission Bay"
    assert odor.description == "Odor: From_other_location"
    cleaning = case(session, "sf311", "1167331")
    assert (cleaning.status, cleaning.channel, cleaning.area_id) == (
        "closed", "api", grid.west["sf"].id)  # fmt: skip
    dpw = session.get_one(Department, cleaning.department_id)
    assert (dpw.code, dpw.name) == ("DPW", "Department of Public Works")
    category = session.get_one(Category, cleaning.category_id)
    assert category.code == "street-and-sidewalk-cleaning-sidewalk-cleaning"
    assert category.name == "Street and Sidewalk Cleaning: Sidewalk_Cleaning"
    assert category.group == "Street and Sidewalk Cleaning"


LA_ROW = {
    "SRNumber": "1-870704831", "CreatedDate": "12/31/2017 11:59:58 PM",
    "UpdatedDate": "04/09/2018 09:25:28 AM", "ActionTaken": "SR Created", "Owner": "BOS",
    "RequestType": "Homeless Encampment", "Status": "Closed", "RequestSource": "Call",
    "ClosedDate": "04/09/2018 09:18:35 AM", "Address": "2111 W BELLEVUE AVE, 90026",
    "Latitude": "34.073216645", "Longitude": "-118.266861909",
    "Location": "(34.073216645, -118.266861909)", "CD": "13", "NCName": "GREATER ECHO PARK NC",
}  # fmt: skip


def test_la_rows_in_both_spellings_of_the_header(
    session: Session, settings: Settings, grid: Grid, tmp_path: Path
) -> None:
    cancelled = {**LA_ROW, "SRNumber": "1-2", "Status": "Cancelled", "RequestSource": "Mobile App",
                 "Latitude": "", "Longitude": "", "Location": ""}  # fmt: skip
    path = write_csv(
        tmp_path / "la.csv", list(LA_ROW), [list(LA_ROW.values()), list(cancelled.values())]
    )
    report = import_file(session, path=path, mapping="la311", settings=settings)
    assert (report.imported, report.outside_grid) == (2, 1)
    camp = case(session, "la311", "1-870704831")
    assert (camp.status, camp.channel, camp.area_id) == ("closed", "phone", grid.east["la"].id)
    assert session.get_one(Department, camp.department_id).name == "Bureau of Sanitation"
    assert case(session, "la311", "1-2").channel == "api"

    lower = {
        "srnumber": "1-3",
        "createddate": "1/1/20 0:05",
        "closeddate": "1/2/20 8:43",
        "requesttype": "Illegal Dumping Pickup",
        "status": "Closed",
        "owner": "BOS",
        "requestsource": "Call",
        "latitude": "34.19402846",
        "longitude": "-118.4994716",
    }
    path = write_csv(tmp_path / "la2020.csv", list(lower), [list(lower.values())])
    report = import_file(session, path=path, mapping="la311", settings=settings)
    assert report.imported == 1
    assert not report.rejected
    dumping = case(session, "la311", "1-3")
    assert dumping.created_at == datetime(2020, 1, 1, 8, 5, tzinfo=UTC)
    assert dumping.area_id == grid.west["la"].id


def test_bad_rows_go_to_the_reject_file_with_their_reason(
    session: Session, settings: Settings, grid: Grid, tmp_path: Path
) -> None:
    rows = [
        nyc_row("1", created_date="2024-02-30T10:00:00.000"),
        nyc_row("2", latitude="95.5"),
        nyc_row("3", status="Lost in the mail"),
        nyc_row("4", complaint_type=""),
        nyc_row("5"),
        nyc_row("5"),
        nyc_row("6")[:5],
        nyc_row("7"),
    ]
    path = write_csv(tmp_path / "mixed.csv", NYC_HEADER, rows)
    report = import_file(session, path=path, mapping="nyc311", settings=settings)
    assert (report.read, report.imported, report.rejected) == (8, 2, 6)
    assert report.rejects_path == settings.data_dir / "rejects" / "mixed.csv.rejects.csv"
    rejected = read_rejects(report.rejects_path)
    assert list(rejected[0]) == [*NYC_HEADER, "reject_reason"]
    reasons = {r["unique_key"]: r["reject_reason"] for r in rejected}
    assert "created_date '2024-02-30T10:00:00.000' is not a date" in reasons["1"]
    assert "out of range" in reasons["2"]
    assert "status 'Lost in the mail' is not in the mapping's [status.values]" in reasons["3"]
    assert reasons["4"] == "no category: complaint_type is empty"
    assert "appears earlier in this file" in reasons["5"]
    assert "the row has 5 fields but the header has 19" in reasons["6"]
    assert rejected[1]["latitude"] == "95.5"  # the original row, as it was
    assert report.reject_reasons == {
        "bad date": 1, "bad coordinates": 1, "unknown status": 1, "missing category": 1,
        "duplicate id": 1, "wrong number of fields": 1,
    }  # fmt: skip


def test_importing_again_adds_nothing(
    session: Session, settings: Settings, grid: Grid, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "nyc.csv", NYC_HEADER, [nyc_row(str(k)) for k in range(1, 6)])
    first = import_file(session, path=path, mapping="nyc311", settings=settings)
    cases, events = count(session, Case), count(session, CaseEvent)
    again = import_file(session, path=path, mapping="nyc311", settings=settings)
    assert (first.imported, again.imported, again.already_imported, again.rejected) == (5, 0, 5, 0)
    assert (count(session, Case), count(session, CaseEvent)) == (cases, events)
    other = import_file(session, path=path, mapping="nyc311", settings=settings, source="copy")
    assert other.imported == 5
    assert case(session, "copy", "1").source == "copy"


def test_xlsx_workbooks_import_like_csv(
    session: Session, settings: Settings, grid: Grid, tmp_path: Path
) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["unique_key", "created_date", "closed_date", "agency", "complaint_type",
                  "latitude", "longitude", None])  # fmt: skip
    sheet.append([69513421, datetime(2026, 6, 28, 3, 5, 20), None, "DSNY", "Graffiti",
                  40.67998, -73.90707, None])  # fmt: skip
    sheet.append(["69513422", "2026-06-28T03:06:00.000", "2026-06-28T05:00:00.000", "DSNY",
                  "Graffiti", None, None])  # fmt: skip
    sheet.append(["69513423", "not a date", None, "DSNY", "Graffiti", None, None])
    sheet.append([None, None, None, None, None, None, None])
    path = tmp_path / "cases.xlsx"
    book.save(path)
    seen: list[tuple[int, int]] = []
    report = import_file(
        session, path=path, mapping="nyc311", settings=settings,
        progress=lambda done, total: seen.append((done, total)),
    )  # fmt: skip
    assert (report.read, report.imported, report.rejected, report.outside_grid) == (3, 2, 1, 1)
    graffiti = case(session, "nyc311", "69513421")
    assert graffiti.created_at == datetime(2026, 6, 28, 7, 5, 20, tzinfo=UTC)
    assert graffiti.area_id == grid.west["nyc"].id
    assert case(session, "nyc311", "69513422").status == "closed"
    assert seen
    assert seen[-1][1] == 4
    assert report.rejects_path is not None
    assert read_rejects(report.rejects_path)[0]["unique_key"] == "69513423"


def test_rows_without_a_department_are_routed(
    session: Session, settings: Settings, grid: Grid, tmp_path: Path
) -> None:
    roads = factories.department(session, code="ROADS")
    pothole = factories.category(session, code="street-condition", name="Street Condition")
    factories.routing_rule(session, category_id=pothole.id, area_id=grid.east["nyc"].id,
                           department_id=roads.id)  # fmt: skip
    path = write_csv(tmp_path / "nyc.csv", NYC_HEADER, [
        nyc_row("1", agency="", complaint_type="Street Condition", latitude="40.75",
                longitude="-73.85"),
        nyc_row("2", agency="", complaint_type="Street Condition"),
        nyc_row("3", agency="DOT", complaint_type="Street Condition", latitude="40.75",
                longitude="-73.85"),
    ])  # fmt: skip
    import_file(session, path=path, mapping="nyc311", settings=settings)
    assert case(session, "nyc311", "1").department_id == roads.id
    assert case(session, "nyc311", "2").department_id == grid.hotline.id
    dot = case(session, "nyc311", "3").department_id
    assert dot not in (roads.id, grid.hotline.id)

    routed = parse_mapping(
        (Path(__file__).parents[2] / "src/civicgrid/intake/mappings/nyc311.toml")
        .read_text()
        .replace('column = "agency"', 'column = "agency"\nauthoritative = false')
    )
    import_file(session, path=path, mapping=routed, settings=settings, source="routed")
    assert case(session, "routed", "3").department_id == roads.id


def test_rows_nobody_can_take_are_rejected(
    session: Session, settings: Settings, tmp_path: Path
) -> None:
    assert session.scalar(select(Department).where(Department.is_default.is_(True))) is None
    path = write_csv(tmp_path / "nyc.csv", NYC_HEADER, [nyc_row("1", agency="")])
    report = import_file(session, path=path, mapping="nyc311", settings=settings)
    assert report.reject_reasons == {"no department": 1}
    assert report.rejects_path is not None
    assert "default department" in read_rejects(report.rejects_path)[0]["reject_reason"]


def test_limit_and_missing_columns(
    session: Session, settings: Settings, grid: Grid, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "nyc.csv", NYC_HEADER, [nyc_row(str(k)) for k in range(1, 6)])
    report = import_file(session, path=path, mapping="nyc311", settings=settings, limit=2)
    assert (report.read, report.imported) == (2, 2)
    short = write_csv(tmp_path / "short.csv", ["unique_key", "created_date"], [["1", "x"]])
    with pytest.raises(Invalid, match="no column 'complaint_type'"):
        import_file(session, path=short, mapping="nyc311", settings=settings)
    with pytest.raises(Invalid, match="no file at"):
        import_file(session, path=tmp_path / "absent.csv", mapping="nyc311", settings=settings)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(Invalid, match="no header row"):
        import_file(session, path=empty, mapping="nyc311", settings=settings)


def test_a_failing_import_leaves_the_session_usable(
    session: Session, settings: Settings, grid: Grid, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "nyc.csv", NYC_HEADER, [nyc_row("1")])

    def stop(done: int, total: int) -> None:
        raise RuntimeError(f"stopped at {done} of {total}")

    with pytest.raises(RuntimeError, match="stopped at"):
        import_file(session, path=path, mapping="nyc311", settings=settings, progress=stop)
    assert count(session, Department) >= 1
