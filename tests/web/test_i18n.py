"""The message catalogues: every string of the pages is in them, Chinese translates all of
them with the same placeholders, and the committed .mo files match their .po sources."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from civicgrid.web.i18n import LOCALE_DIR, LOCALES

ROOT = Path(__file__).resolve().parents[2]
# The names whose first argument `make messages` extracts (the Makefile is the one place).
KEYWORDS = re.search(r"^MESSAGE_KEYWORDS := (.+)$", (ROOT / "Makefile").read_text(), re.M)
MESSAGE_KEYWORDS = KEYWORDS.group(1).split() if KEYWORDS else ["N_"]
PLACEHOLDER = re.compile(r"%\([a-z_]+\)s|\{[a-z_]+\}")


def _catalog(locale: str):  # type: ignore[no-untyped-def]
    with (LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=locale)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run(
        [
            str(pybabel),
            "-q",
            "extract",
            "-F",
            str(LOCALE_DIR / "babel.cfg"),
            *(arg for keyword in MESSAGE_KEYWORDS for arg in ("-k", keyword)),
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
    )
    with pot.open("rb") as f:
        return {m.id for m in read_po(f) if m.id}


@pytest.mark.parametrize("locale", LOCALES)
def test_catalogue_has_every_string_of_the_pages(extracted: set[str], locale: str) -> None:
    known = {m.id for m in _catalog(locale) if m.id}
    assert not extracted - known, (
        f"run `make messages`: new strings {sorted(extracted - known)[:10]}"
    )


def test_chinese_translates_everything_with_the_same_placeholders() -> None:
    for message in _catalog("zh_CN"):
        if not message.id:
            continue
        assert message.string, f"no Chinese for {message.id!r}"
        assert sorted(PLACEHOLDER.findall(message.id)) == sorted(
            PLACEHOLDER.findall(message.string)
        ), message.id


@pytest.mark.parametrize("locale", LOCALES)
def test_compiled_catalogue_matches_its_source(locale: str) -> None:
    with (LOCALE_DIR / locale / "LC_MESSAGES" / "messages.mo").open("rb") as f:
        compiled = {m.id: m.string for m in read_mo(f) if m.id and m.string}
    source = {m.id: m.string for m in _catalog(locale) if m.id and m.string}
    assert compiled == source, "run `make messages` (pybabel compile) to rebuild the .mo files"
