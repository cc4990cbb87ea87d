"""Stream the rows of a CSV or XLSX file as lists of strings, with progress as it goes."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, Any, Protocol

import openpyxl

from civicgrid.errors import Invalid

XLSX_SUFFIXES = (".xlsx", ".xlsm")


class RowSource(Protocol):
    """A file's header and rows; ``done``/``total`` measure progress in the same unit."""

    header: list[str]
    total: int

    def done(self) -> int:
        """Progress so far (bytes read for CSV, rows read for XLSX)."""
        ...

    def rows(self) -> Iterator[list[str]]:
        """Each data row as strings ("" for an empty cell)."""
        ...


class _CountingReader(io.RawIOBase):
    """A binary file that counts the bytes read, so progress needs no second pass."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw, self.count = raw, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        read = self.raw.readinto(buffer)  # type: ignore[attr-defined]
        self.count += read or 0
        return int(read or 0)


class CsvSource:
    """A UTF-8 CSV file (a byte-order mark is allowed); undecodable bytes become U+FFFD."""

    def __init__(self, path: Path) -> None:
        self._name = path.name
        self._file = path.open("rb")
        self._counter = _CountingReader(self._file)
        buffered = io.BufferedReader(self._counter, buffer_size=1 << 20)
        self._text = io.TextIOWrapper(buffered, encoding="utf-8-sig", errors="replace", newline="")
        self._reader = csv.reader(self._text)
        self.total = path.stat().st_size
        try:
            self.header = [name.strip() for name in next(self._reader)]
        except StopIteration:
            self.header = []
        except csv.Error as exc:
            raise Invalid(f"{path.name} is not a readable CSV file: {exc}") from exc

    def done(self) -> int:
        return self._counter.count

    def rows(self) -> Iterator[list[str]]:
        try:
            yield from self._reader
        except csv.Error as exc:
            raise Invalid(
                f"{self._name}: the CSV cannot be read past line {self._reader.line_num}: {exc}; "
                "fix the file there (e.g. an unclosed quote) and import it again"
            ) from exc

    def close(self) -> None:
        self._text.close()
        self._file.close()


class XlsxSource:
    """The first worksheet of an Excel workbook, read in streaming (read-only) mode."""

    def __init__(self, path: Path) -> None:
        try:
            self._book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except (OSError, KeyError, ValueError) as exc:
            raise Invalid(f"{path.name} is not a readable XLSX workbook: {exc}") from exc
        sheet = self._book.worksheets[0]
        self._rows = sheet.iter_rows(values_only=True)
        first = next(self._rows, None) or ()
        self.header = [cell_text(value).strip() for value in first]
        self.total = max(int(sheet.max_row or 0) - 1, 0)
        self._done = 0

    def done(self) -> int:
        return self._done

    def rows(self) -> Iterator[list[str]]:
        width = len(self.header)
        for values in self._rows:
            self._done += 1
            row = [cell_text(value) for value in values]
            # Read-only sheets pad or cut rows to the used range; blank tails are not data.
            while len(row) > width and row[-1] == "":
                row.pop()
            if any(row):
                yield row

    def close(self) -> None:
        self._book.close()


def cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return str(value)


@contextmanager
def open_rows(path: Path) -> Iterator[CsvSource | XlsxSource]:
    """The file's rows: XLSX by its suffix, CSV otherwise."""
    if not path.is_file():
        raise Invalid(f"no file at {path}", field="file")
    source: CsvSource | XlsxSource
    source = XlsxSource(path) if path.suffix.lower() in XLSX_SUFFIXES else CsvSource(path)
    try:
        if not any(source.header):
            raise Invalid(f"{path.name} has no header row; the first row must name the columns")
        yield source
    finally:
        source.close()
