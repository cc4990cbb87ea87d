"""Write new ORM objects at once with Core INSERTs, skipping the unit of work.

For the hot path of filing a report. The ORM's flush costs several times what the INSERT
itself costs in CPU (history, dependency sorting, per-object bookkeeping), and on a small
server every statement costs about a millisecond of CPU between client and database
(docs/benchmarks.md). So:

- :func:`insert_now` writes objects of one class in one statement, fills their column
  defaults and generated keys, and attaches them to the session as if just loaded, so the
  code that follows uses them like any other persistent object and touching an attribute
  never costs a query;
- :func:`insert_family` writes a parent and its children (placement, timeline, ...) in one
  statement on PostgreSQL, a chain of data-modifying CTEs, and one INSERT per table elsewhere.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar, cast

from sqlalchemy import Column, Dialect, Insert, Table, TextClause, insert, inspect, text
from sqlalchemy.orm import Mapper, Session, make_transient_to_detached
from sqlalchemy.types import TypeDecorator

T = TypeVar("T")


@dataclass(frozen=True)
class _Plan:
    """How to insert one class: its columns, its database-numbered key and the statements."""

    table: Table
    attributes: tuple[tuple[str, Column[Any]], ...]
    """Attribute name and column of every mapped column, in mapper order."""
    numbered: str | None
    """The attribute of the key the database numbers, if any."""
    plain: Insert
    returning: Insert | None
    """The INSERT that gives back the numbered key (None without one)."""

    @functools.cached_property
    def columns(self) -> list[Column[Any]]:
        return [column for _, column in self.attributes]


_PLANS: dict[type[Any], _Plan] = {}


def _plan(cls: type[Any]) -> _Plan:
    plan = _PLANS.get(cls)
    if plan is None:
        plan = _PLANS[cls] = _make_plan(cls)
    return plan


def _make_plan(cls: type[Any]) -> _Plan:
    mapper: Mapper[Any] = inspect(cls)
    table = mapper.local_table
    assert isinstance(table, Table), f"{cls.__name__} is not mapped to one table"
    attributes = tuple(
        (prop.key, cast("Column[Any]", prop.columns[0])) for prop in mapper.column_attrs
    )
    key = list(table.primary_key.columns)
    if len(key) == 1 and _generated(key[0]):
        returning = insert(table).returning(key[0], sort_by_parameter_order=True)
        numbered = mapper.get_property_by_column(key[0]).key
        return _Plan(table, attributes, numbered, insert(table), returning)
    return _Plan(table, attributes, None, insert(table), None)


def _generated(column: Any) -> bool:
    """Whether the database numbers this key column (SQLAlchemy's autoincrement rules)."""
    if column.foreign_keys or column.autoincrement not in (True, "auto"):
        return False
    return column.type.python_type is int


def _default(column: Any) -> Any:
    default = column.default
    if default is None:
        return None
    if default.is_scalar:
        return default.arg
    if default.is_callable:
        return default.arg(None)  # SQLAlchemy wraps zero-argument callables to take a context
    raise TypeError(f"column {column.key!r} has a default insert_now cannot compute")


def insert_now(session: Session, objects: Sequence[T], *, track: bool = True) -> list[T]:
    """INSERT new ``objects`` (all of one class) in one statement; they become persistent.

    Unset attributes get their column defaults first; a key the database numbers comes back
    through RETURNING (give such keys to all objects or to none). Objects must be new (never
    added to a session), and their columns must have no server-side defaults. ``track=False``
    writes them without keys coming back and leaves them out of the session.
    """
    if not objects:
        return []
    plan = _plan(type(objects[0]))
    rows = [_row(plan, obj) for obj in objects]
    numbered = plan.numbered
    unnumbered = [numbered is not None and obj.__dict__.get(numbered) is None for obj in objects]
    if any(unnumbered) and not all(unnumbered):
        raise ValueError("insert_now: give keys to all objects or to none")
    connection = session.connection()
    if track and plan.returning is not None and numbered is not None and all(unnumbered):
        keys = connection.execute(plan.returning, rows).scalars().all()
        for obj, value in zip(objects, keys, strict=True):
            setattr(obj, numbered, value)
    else:
        connection.execute(plan.plain, rows)
    if track:
        _attach(session, objects)
    return list(objects)


def _attach(session: Session, objects: Sequence[object]) -> None:
    for obj in objects:
        make_transient_to_detached(obj)
        session.add(obj)


def insert_family(session: Session, parent: T, children: Sequence[object], *, link: str) -> T:
    """INSERT a new ``parent`` and new ``children`` that refer to it by their ``link`` attribute.

    The parent's key must be numbered by the database; it comes back onto the parent, which
    joins the session as with :func:`insert_now`, and onto each child's ``link``. Children are
    written, not tracked: they stay out of the session. One statement on PostgreSQL.
    """
    plan = _plan(type(parent))
    assert plan.numbered is not None, "insert_family needs a parent the database numbers"
    dialect = session.get_bind().dialect
    if dialect.name != "postgresql" or not children:
        insert_now(session, [parent])
        for child in children:
            setattr(child, link, getattr(parent, plan.numbered))
        for group in _groups(children):
            insert_now(session, group, track=False)
        return parent
    groups = _groups(children)
    shape = (type(parent), link, tuple(type(group[0]) for group in groups))
    statement = _FAMILIES.get(shape)
    if statement is None:
        statement = _FAMILIES[shape] = _family_statement(dialect, shape)
    params = {"p": _json(plan, [_row(plan, parent)], dialect)[1:-1]}
    for g, group in enumerate(groups):
        child_plan = _plan(type(group[0]))
        params[f"c{g}"] = _json(
            child_plan, [_row(child_plan, c, fill=False) for c in group], dialect
        )
    new_id = session.connection().execute(statement, params).scalar_one()
    setattr(parent, plan.numbered, new_id)
    for child in children:
        setattr(child, link, new_id)
    _attach(session, [parent])
    return parent


def _groups(objects: Sequence[object]) -> list[list[object]]:
    """``objects`` by class, classes in order of first appearance."""
    groups: dict[type[Any], list[object]] = {}
    for obj in objects:
        groups.setdefault(type(obj), []).append(obj)
    return list(groups.values())


def _json(plan: _Plan, rows: list[dict[str, Any]], dialect: Dialect) -> str:
    """``rows`` as a JSON array of records by column name, values as the columns bind them."""
    records = []
    for row in rows:
        record = {}
        for column in plan.columns:
            value = row.get(column.key)
            if isinstance(column.type, TypeDecorator):
                value = column.type.process_bind_param(value, dialect)
            record[column.name] = value
        records.append(record)
    return json.dumps(records, default=_json_value, ensure_ascii=False, allow_nan=False)


def _json_value(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)  # PostgreSQL reads the text into the column's numeric type
    raise TypeError(f"insert_family cannot write {type(value).__name__} values")


_Shape = tuple[type[Any], str, tuple[type[Any], ...]]
_FAMILIES: dict[_Shape, TextClause] = {}


def _family_statement(dialect: Dialect, shape: _Shape) -> TextClause:
    """``WITH p AS (INSERT parent RETURNING key), c0 AS (INSERT children ...) SELECT key``.

    Each table's rows come as one JSON parameter read by ``json_populate_record(set)``, so the
    text depends only on which tables are written: short, the same for every filing, and so
    prepared once per connection (psycopg caches statements under 4 kB and 50 parameters).
    Only quoted names of the mapped tables go into the text (hence the noqa: S608).
    """
    parent_cls, link, classes = shape
    quote = dialect.identifier_preparer
    parent = _plan(parent_cls)
    table = parent.table
    key = quote.quote(table.primary_key.columns[0].name)
    numbered = {column.name for name, column in parent.attributes if name == parent.numbered}
    names = ", ".join(quote.quote(c.name) for c in parent.columns if c.name not in numbered)
    ctes = [
        f"p AS (INSERT INTO {quote.format_table(table)} ({names}) SELECT {names} "  # noqa: S608
        f"FROM json_populate_record(NULL::{quote.format_table(table)}, CAST(:p AS json)) "
        f"RETURNING {key})"
    ]
    for g, cls in enumerate(classes):
        plan = _plan(cls)
        child = plan.table
        linked = child.c[link].name
        columns = [
            column.name
            for name, column in plan.attributes
            if name != plan.numbered and column.name != linked
        ]
        names = ", ".join(quote.quote(name) for name in columns)
        values = ", ".join(f"r.{quote.quote(name)}" for name in columns)
        ctes.append(
            f"c{g} AS (INSERT INTO {quote.format_table(child)} "  # noqa: S608
            f"({quote.quote(linked)}, {names}) SELECT p.{key}, {values} FROM p, "
            f"json_populate_recordset(NULL::{quote.format_table(child)}, CAST(:c{g} AS json)) r)"
        )
    sql = f"WITH {', '.join(ctes)} SELECT {key} FROM p"  # noqa: S608
    return text(sql)


def _row(plan: _Plan, obj: object, *, fill: bool = True) -> dict[str, Any]:
    """The INSERT's parameters for ``obj``; ``fill`` sets its unset attributes' defaults."""
    state = obj.__dict__
    row: dict[str, Any] = {}
    for name, column in plan.attributes:
        if name in state:
            value = state[name]
        elif name == plan.numbered:
            continue
        else:
            value = _default(column)
            if fill:
                setattr(obj, name, value)
        if value is not None or name != plan.numbered:
            row[column.key] = value
    return row
