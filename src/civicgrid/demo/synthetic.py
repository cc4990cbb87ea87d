"""The small demo's data, generated deterministically: rough borough shapes, districts, cases.

The files in demo/data are this module's output (`python -m civicgrid.demo.synthetic DIR`);
they use the property and column names of the city's own files, so the small demo takes the
same path as the full one. Nothing here is real: shapes are drawn by hand, cases are invented.
"""

from __future__ import annotations

import csv
import json
import random
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import Polygon, box, mapping

from civicgrid.demo.nyc import BOROUGHS

SEED = 2026
CASES = 400
PRECISION = 1e-5  # degrees (about a metre): small files, stable across platforms
START = datetime(2026, 6, 1)  # noqa: DTZ001 (local New York time, as in the city's files)
DAYS = 14

# Rough outlines (lon, lat), drawn by hand; overlaps are cut away in the order given.
OUTLINES: dict[int, list[tuple[float, float]]] = {
    1: [(-74.019, 40.700), (-74.010, 40.752), (-73.960, 40.822), (-73.933, 40.878),
        (-73.910, 40.873), (-73.935, 40.835), (-73.928, 40.800), (-73.943, 40.775),
        (-73.972, 40.727), (-73.977, 40.711), (-74.000, 40.704)],
    2: [(-73.933, 40.878), (-73.913, 40.915), (-73.838, 40.894), (-73.783, 40.881),
        (-73.790, 40.810), (-73.870, 40.790), (-73.928, 40.800), (-73.935, 40.835),
        (-73.910, 40.873)],
    3: [(-74.042, 40.640), (-74.020, 40.680), (-73.995, 40.705), (-73.962, 40.740),
        (-73.925, 40.735), (-73.905, 40.690), (-73.862, 40.680), (-73.855, 40.640),
        (-73.890, 40.595), (-73.940, 40.570), (-74.010, 40.575), (-74.035, 40.605)],
    4: [(-73.962, 40.740), (-73.940, 40.780), (-73.890, 40.790), (-73.835, 40.800),
        (-73.770, 40.800), (-73.700, 40.750), (-73.725, 40.660), (-73.740, 40.595),
        (-73.830, 40.600), (-73.855, 40.640), (-73.862, 40.680), (-73.905, 40.690),
        (-73.925, 40.735)],
    5: [(-74.255, 40.500), (-74.250, 40.550), (-74.200, 40.640), (-74.130, 40.645),
        (-74.070, 40.640), (-74.055, 40.600), (-74.110, 40.545), (-74.200, 40.505)],
}  # fmt: skip
DISTRICTS = {1: 4, 2: 3, 3: 4, 4: 4, 5: 2}
"""Community districts per borough: its outline cut into strips along its longer side."""
PARKS = {164: (-73.981, 40.764, -73.949, 40.800)}
"""Joint interest areas (Central Park), cut out of their borough's districts."""
WEIGHTS = {1: 0.25, 2: 0.17, 3: 0.30, 4: 0.22, 5: 0.06}

# agency, complaint type, descriptors, location type, what the agency says when it closes
COMPLAINTS: list[tuple[str, str, list[str], str, str]] = [
    ("NYPD", "Noise - Residential", ["Loud Music/Party", "Banging/Pounding", "Loud Talking"],
     "Residential Building/House", "The Police Department responded and fixed the condition."),
    ("NYPD", "Illegal Parking", ["Blocked Hydrant", "Double Parked Blocking Traffic"],
     "Street/Sidewalk", "The Police Department issued a summons in response to the complaint."),
    ("NYPD", "Blocked Driveway", ["No Access", "Partial Access"], "Street/Sidewalk",
     "The Police Department responded but the vehicle was gone on arrival."),
    ("HPD", "HEAT/HOT WATER", ["ENTIRE BUILDING", "APARTMENT ONLY"], "RESIDENTIAL BUILDING",
     "The owner restored heat and hot water; the complaint was closed after an inspection."),
    ("HPD", "PLUMBING", ["WATER SUPPLY", "TOILET"], "RESIDENTIAL BUILDING",
     "HPD inspected the apartment and issued a violation to the owner."),
    ("DSNY", "Dirty Condition", ["Trash", "Litter"], "Sidewalk",
     "The Department of Sanitation cleaned the location."),
    ("DSNY", "Missed Collection", ["Trash", "Recycling"], "Residential",
     "The Department of Sanitation collected the missed material."),
    ("DOT", "Street Condition", ["Pothole", "Cave-in"], "Street",
     "The Department of Transportation repaired the defect."),
    ("DOT", "Street Light Condition", ["Street Light Out"], "Street",
     "The Department of Transportation replaced the lamp."),
    ("DEP", "Water System", ["Hydrant Running (WC3)", "Leak (Use Comments) (WA2)"], "Street",
     "The Department of Environmental Protection fixed the leak."),
    ("DPR", "Damaged Tree", ["Branch Cracked and Will Fall"], "Street",
     "Parks removed the hazardous branch."),
    ("DOHMH", "Rodent", ["Rat Sighting"], "3+ Family Apt. Building",
     "The Health Department inspected the property and found signs of rats."),
    ("DOB", "General Construction/Plumbing", ["Working Contrary To Stop Work Order"],
     "Building", "The Department of Buildings inspected and issued a violation."),
    ("DHS", "Encampment", [""], "Street/Sidewalk",
     "Outreach staff visited the location and offered services."),
]  # fmt: skip
COLUMNS = [
    "unique_key", "created_date", "closed_date", "agency", "complaint_type", "descriptor",
    "location_type", "incident_zip", "incident_address", "city", "status",
    "resolution_description", "resolution_action_updated_date", "borough",
    "open_data_channel_type", "latitude", "longitude",
]  # fmt: skip
STREETS = ["BROADWAY", "MAIN STREET", "PARK AVENUE", "ATLANTIC AVENUE", "JAMAICA AVENUE",
           "GRAND CONCOURSE", "HYLAN BOULEVARD", "FLATBUSH AVENUE", "QUEENS BOULEVARD"]  # fmt: skip


def boroughs() -> dict[int, Any]:
    """Each borough's outline, made valid and not overlapping the ones before it."""
    shapes: dict[int, Any] = {}
    taken = Polygon()
    for code, outline in OUTLINES.items():
        shape = shapely.set_precision(Polygon(outline).difference(taken), PRECISION)
        shapes[code] = shape
        taken = taken.union(shape)
    return shapes


def districts(shapes: dict[int, Any]) -> dict[int, Any]:
    """BoroCD -> shape: strips of each borough, the parks cut out as areas of their own."""
    parks = {cd: shapely.set_precision(box(*bounds), PRECISION) for cd, bounds in PARKS.items()}
    found: dict[int, Any] = {}
    for code, shape in shapes.items():
        min_x, min_y, max_x, max_y = shape.bounds
        count, wide = DISTRICTS[code], (max_x - min_x) > (max_y - min_y)
        for n in range(count):
            if wide:
                step = (max_x - min_x) / count
                strip = box(min_x + n * step, min_y, min_x + (n + 1) * step, max_y)
            else:
                step = (max_y - min_y) / count
                strip = box(min_x, max_y - (n + 1) * step, max_x, max_y - n * step)
            part = shape.intersection(strip)
            for park_cd, park in parks.items():
                if park_cd // 100 == code:
                    part = part.difference(park)
            found[code * 100 + n + 1] = shapely.set_precision(part, PRECISION)
    return {**found, **parks}


def _collection(features: list[tuple[dict[str, Any], Any]]) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": props, "geometry": mapping(geom)}
            for props, geom in features
        ],
    }


def _case(rng: random.Random, key: int, shapes: dict[int, Any]) -> dict[str, str]:
    agency, kind, descriptors, location, resolution = rng.choice(COMPLAINTS)
    code = rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
    shape = shapes[code]
    min_x, min_y, max_x, max_y = shape.bounds
    while True:
        lon, lat = rng.uniform(min_x, max_x), rng.uniform(min_y, max_y)
        if shape.contains(shapely.Point(lon, lat)):
            break
    created = START + timedelta(seconds=rng.randrange(DAYS * 86400))
    status = rng.choices(["Closed", "Open", "In Progress", "Assigned"], [55, 25, 15, 5])[0]
    closed = updated = ""
    if status == "Closed":
        closed_at = created + timedelta(hours=rng.expovariate(1 / 30))
        closed = updated = f"{closed_at:%Y-%m-%dT%H:%M:%S}.000"
    elif status != "Open":
        updated = f"{created + timedelta(hours=rng.expovariate(1 / 6)):%Y-%m-%dT%H:%M:%S}.000"
    no_place = rng.random() < 0.015  # a few reports come without a location
    return {
        "unique_key": str(key),
        "created_date": f"{created:%Y-%m-%dT%H:%M:%S}.000",
        "closed_date": closed,
        "agency": agency,
        "complaint_type": kind,
        "descriptor": rng.choice(descriptors),
        "location_type": location,
        "incident_zip": str(10000 + code * 300 + rng.randrange(100)),
        "incident_address": f"{rng.randrange(1, 400)} {rng.choice(STREETS)}",
        "city": BOROUGHS[code].upper(),
        "status": status,
        "resolution_description": resolution if status == "Closed" else "",
        "resolution_action_updated_date": updated,
        "borough": BOROUGHS[code].upper(),
        "open_data_channel_type": rng.choices(["PHONE", "ONLINE", "MOBILE"], [45, 35, 20])[0],
        "latitude": "" if no_place else f"{lat:.6f}",
        "longitude": "" if no_place else f"{lon:.6f}",
    }


def write(directory: Path) -> list[Path]:
    """Write the small city (boroughs, districts, cases.csv) into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    shapes = boroughs()
    files = {
        "small_city_boroughs.geojson": _collection(
            [({"BoroCode": c, "BoroName": BOROUGHS[c]}, g) for c, g in shapes.items()]
        ),
        "small_city_districts.geojson": _collection(
            [({"BoroCD": cd}, g) for cd, g in sorted(districts(shapes).items())]
        ),
    }
    written = []
    for name, collection in files.items():
        path = directory / name
        path.write_text(json.dumps(collection, separators=(",", ":")) + "\n", encoding="utf-8")
        written.append(path)
    rng = random.Random(SEED)  # noqa: S311 (made-up demo data, not a secret)
    path = directory / "cases.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(_case(rng, 90_000_001 + n, shapes) for n in range(CASES))
    written.append(path)
    return written


if __name__ == "__main__":
    for written_path in write(Path(sys.argv[1] if len(sys.argv) > 1 else "demo-data")):
        print(written_path)
