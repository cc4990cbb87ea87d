"""Mapping files: the bundled ones load, mistakes are reported with the key to fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from civicgrid.errors import Invalid
from civicgrid.intake.mapping import (
    BUNDLED,
    Template,
    category_code,
    load_mapping,
    parse_mapping,
    slug,
)

MINIMAL = """
source = "town"
timezone = "Europe/Paris"
datetime_formats = ["%d/%m/%Y %H:%M"]
[columns]
external_id = "id"
created = "opened"
[category]
code = "{type}"
"""


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_mappings_load(name: str) -> None:
    mapping = load_mapping(name)
    assert mapping.source == name
    assert mapping.required_columns()[:2] == [mapping.external_id, mapping.created]


def test_mapping_file_by_path(tmp_path: Path) -> None:
    path = tmp_path / "town.toml"
    path.write_text(MINIMAL)
    mapping = load_mapping(path)
    assert mapping.source == "town"
    assert mapping.channel_default == "import"
    assert mapping.category_name.text == "{type}"
    assert mapping.optional_columns() == []


def test_unknown_mapping_names_the_bundled_ones() -> None:
    with pytest.raises(Invalid, match=r"neither a file nor a bundled mapping.*nyc311"):
        load_mapping("tokyo311")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('[status]\ncolumn = "s"\n[status.values]\nOpen = "opened"', "not statuses"),
        ('[status]\ncolumn = "s"', "map each status"),
        ('[channel]\ndefault = "fax"', "not channels"),
        ('[department]\npattern = "("', "not a regular expression"),
        ('[department]\nauthoritative = "yes"', "true or false"),
        ('[text]\nattributes = "borough"', "list of column names"),
        ('[text]\ntitel = "{a}"', "unknown key 'titel'"),
        ('colour = "red"', "category: unknown key 'colour'"),
        ("[department.names]\nX = 1", "table of strings"),
    ],
)
def test_mapping_mistakes_name_the_key(extra: str, message: str) -> None:
    with pytest.raises(Invalid, match=message):
        parse_mapping(MINIMAL + extra)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("source = ", "not valid TOML"),
        (MINIMAL.replace("Europe/Paris", "Mars/Olympus"), "not an IANA time zone"),
        (MINIMAL.replace('created = "opened"', ""), r"columns.created: is required"),
        (MINIMAL.replace('code = "{type}"', 'code = "type"'), "must name at least one column"),
        (MINIMAL.replace('source = "town"', ""), "source: is required"),
        (MINIMAL.replace('created = "opened"', 'created = ""'), "must be a non-empty string"),
        (MINIMAL.replace('["%d/%m/%Y %H:%M"]', '"%d/%m/%Y"'), "must be a list"),
        (MINIMAL.replace("[columns]", '[columns]\nlatitude = "lat"'), "go together"),
        ('colour = "red"\n' + MINIMAL, "top level: unknown key 'colour'"),
        ("text = 3\n" + MINIMAL, "text: must be a table"),
    ],
)
def test_broken_mappings(text: str, message: str) -> None:
    with pytest.raises(Invalid, match=message):
        parse_mapping(text)


def test_template_leaves_no_stray_separators() -> None:
    template = Template("{descriptor} ({location_type}), {city}")
    assert template.columns == ("descriptor", "location_type", "city")
    row = {"descriptor": "Pothole", "location_type": "Street", "city": "QUEENS"}
    assert template.render(row) == "Pothole (Street), QUEENS"
    assert template.render({"descriptor": "Pothole"}) == "Pothole"
    assert template.render({"city": " QUEENS "}) == "QUEENS"
    assert template.render({}) == ""
    assert Template("{a}: {b}").render({"b": "x"}) == "x"


def test_category_codes_are_slugs_that_fit() -> None:
    assert slug("Noise - Residential") == "noise-residential"
    assert slug("Café  Owner/Operator") == "cafe-owner-operator"
    assert category_code("HEAT/HOT WATER") == "heat-hot-water"
    assert category_code("???") == "uncategorised"
    long_a, long_b = "x" * 80 + " a", "x" * 80 + " b"
    assert len(category_code(long_a)) == 64
    assert category_code(long_a) != category_code(long_b)


def test_department_codes_from_pattern_and_table() -> None:
    sf = load_mapping("sf311")
    assert sf.department_code("DPW Ops Queue") == "DPW"
    assert sf.department_code("PUC - Sewer - G") == "PUC"
    assert sf.department_code("Recology_Abandoned") == "RECOLOGY"
    assert sf.department_code("zzRPD Urban Forestry Queue - DO NOT USE") == "RPD"
    assert sf.department_code("  ") is None
    nyc = load_mapping("nyc311")
    assert nyc.department_code("NYPD") == "NYPD"
    exact = parse_mapping(
        MINIMAL + '[department]\ncolumn = "a"\n[department.codes]\n"Roads Dept" = "DOT"'
    )
    assert exact.department_code("Roads Dept") == "DOT"
    assert exact.department_code("Parks") == "Parks"
