"""civicgrid.rows: one-statement writes that leave objects as if loaded, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Text,
    event,
    inspect,
    select,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from civicgrid.db import UtcDateTime, utcnow
from civicgrid.rows import insert_family, insert_now


class RowsBase(DeclarativeBase):
    """Tables of this test only, created inside the test's transaction."""

    metadata = MetaData()


class Parent(RowsBase):
    __tablename__ = "rows_test_parents"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text, default="")
    score: Mapped[float | None] = mapped_column(Float)
    flag: Mapped[bool] = mapped_column(Boolean, default=False)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    count: Mapped[int] = mapped_column(Integer, default=3)


class Child(RowsBase):
    __tablename__ = "rows_test_children"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int] = mapped_column(ForeignKey("rows_test_parents.id"))
    label: Mapped[str] = mapped_column(String(50))
    at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Tag(RowsBase):
    """A child keyed by its parent and its own column: no key the database numbers."""

    __tablename__ = "rows_test_tags"

    parent_id: Mapped[int] = mapped_column(ForeignKey("rows_test_parents.id"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(20), primary_key=True)


class Priced(RowsBase):
    __tablename__ = "rows_test_priced"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int] = mapped_column(ForeignKey("rows_test_parents.id"))
    price: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    blob: Mapped[bytes | None] = mapped_column(LargeBinary)


@pytest.fixture
def db(session: Session) -> Session:
    RowsBase.metadata.create_all(session.connection())
    return session


def _statements(session: Session) -> list[str]:
    seen: list[str] = []
    event.listen(
        session.connection(),
        "before_cursor_execute",
        lambda _c, _cur, statement, *_a: seen.append(statement.split()[0]),
    )
    return seen


def test_insert_now_fills_defaults_and_keys_and_leaves_nothing_to_load(db: Session) -> None:
    first, second = Parent(name="a"), Parent(name="b", count=7, data={"k": [1, 2]})
    seen = _statements(db)
    insert_now(db, [first, second])
    # One statement; SQLite numbers ordered rows one INSERT at a time.
    expected = ["INSERT"] * (1 if db.get_bind().dialect.name == "postgresql" else 2)
    assert seen == expected
    assert first.id is not None
    assert second.id == first.id + 1
    assert (first.body, first.flag, first.count, first.data) == ("", False, 3, {})
    assert second.count == 7
    state = inspect(first)
    assert state.persistent
    assert not state.expired_attributes
    assert not db.dirty
    assert first.score is None
    assert first.at.tzinfo is not None
    assert seen == expected  # reading them cost nothing
    db.expire_all()
    assert db.scalars(select(Parent.count).order_by(Parent.id)).all() == [3, 7]


def test_insert_now_refuses_a_mix_of_given_and_missing_keys(db: Session) -> None:
    with pytest.raises(ValueError, match="all objects or to none"):
        insert_now(db, [Parent(id=900, name="a"), Parent(name="b")])
    assert insert_now(db, []) == []


def test_untracked_rows_are_written_but_stay_out_of_the_session(db: Session) -> None:
    parent = insert_now(db, [Parent(name="p")])[0]
    children = [Child(parent_id=parent.id, label=f"c{i}") for i in range(3)]
    insert_now(db, children, track=False)
    assert all(child not in db for child in children)
    labels = db.scalars(select(Child.label).where(Child.parent_id == parent.id)).all()
    assert sorted(labels) == ["c0", "c1", "c2"]


def test_a_family_is_written_whole_with_every_value_as_given(db: Session) -> None:
    at = datetime(2026, 3, 29, 1, 30, tzinfo=timezone(timedelta(hours=-5)))
    text = 'O\'Brien said "hi" \\ 路灯坏了 🚧 {not json}'
    parent = Parent(name=text, score=0.1 + 0.2, flag=True, data={"a": {"b": [None, 1.5]}}, at=at)
    children: list[Child | Tag] = [
        Child(label="x", at=at),
        Tag(tag="one"),
        Child(label=text[:50], at=None),
        Tag(tag="two"),
    ]
    seen = _statements(db)
    insert_family(db, parent, children, link="parent_id")
    postgres = db.get_bind().dialect.name == "postgresql"
    assert seen == (["WITH"] if postgres else ["INSERT", "INSERT", "INSERT"])
    assert inspect(parent).persistent
    assert parent.id is not None
    assert all(child.parent_id == parent.id for child in children)
    assert all(child not in db for child in children)
    db.expire_all()
    stored = db.get_one(Parent, parent.id)
    assert (stored.name, stored.score, stored.flag) == (text, 0.1 + 0.2, True)
    assert stored.data == {"a": {"b": [None, 1.5]}}
    assert stored.at == at.astimezone(UTC)
    assert stored.count == 3
    assert stored.body == ""
    rows = db.execute(select(Child.label, Child.at).where(Child.parent_id == parent.id))
    assert sorted(rows, key=lambda r: r.label) == sorted(
        [("x", at), (text[:50], None)], key=lambda r: r[0]
    )
    tags = db.scalars(select(Tag.tag).where(Tag.parent_id == parent.id)).all()
    assert sorted(tags) == ["one", "two"]


def test_a_family_of_one_shape_is_written_again_with_other_counts(db: Session) -> None:
    for count in (1, 4):
        parent = Parent(name=f"n{count}")
        insert_family(db, parent, [Child(label=str(i)) for i in range(count)], link="parent_id")
        found = db.scalars(select(Child.label).where(Child.parent_id == parent.id)).all()
        assert sorted(found) == [str(i) for i in range(count)]
    lonely = insert_family(db, Parent(name="alone"), [], link="parent_id")
    assert lonely.id is not None


def test_decimals_are_exact_in_a_family(db: Session) -> None:
    parent = insert_family(db, Parent(name="p"), [Priced(price=Decimal("0.10"))], link="parent_id")
    db.expire_all()
    assert db.scalar(select(Priced.price).where(Priced.parent_id == parent.id)) == Decimal("0.10")


def test_a_value_json_cannot_carry_is_refused_before_anything_is_written(db: Session) -> None:
    parent = Parent(name="p")
    child = Priced(price=Decimal(1), blob=b"\x00")
    if db.get_bind().dialect.name != "postgresql":  # one Core INSERT per table takes bytes
        insert_family(db, parent, [child], link="parent_id")
        assert db.scalar(select(Priced.blob).where(Priced.parent_id == parent.id)) == b"\x00"
        return
    with pytest.raises(TypeError, match="cannot write bytes"):
        insert_family(db, parent, [child], link="parent_id")
    assert db.scalar(select(Parent.id).where(Parent.name == "p")) is None
