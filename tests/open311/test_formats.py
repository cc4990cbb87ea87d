"""The Spark convention read backwards (JSON -> XML), and what JSON may not carry."""

from __future__ import annotations

import pytest

from civicgrid.open311.formats import render, to_json, to_xml


def test_lists_become_containers_of_like_named_children() -> None:
    xml = to_xml("services", [{"service_code": "1", "metadata": True, "group": None}])
    assert xml.decode().splitlines() == [
        '<?xml version="1.0" encoding="utf-8"?>',
        "<services>",
        "  <service>",
        "    <service_code>1</service_code>",
        "    <metadata>true</metadata>",
        "    <group />",
        "  </service>",
        "</services>",
    ]


def test_text_xml_cannot_hold_is_replaced_and_markup_escaped() -> None:
    xml = to_xml("errors", [{"code": 400, "description": "a\x00b <c> & \ud800"}]).decode()
    assert "a\ufffdb &lt;c&gt; &amp; \ufffd" in xml


def test_json_refuses_nan_and_keeps_utf8() -> None:
    assert to_json({"a": "ü"}) == '{"a":"ü"}'.encode()
    with pytest.raises(ValueError, match="JSON"):
        to_json({"a": float("nan")})


def test_content_types_carry_utf8() -> None:
    assert render("json", "x", []).headers["content-type"] == "application/json; charset=utf-8"
    assert render("xml", "errors", []).headers["content-type"] == "text/xml; charset=utf-8"
