"""The journal's entries, tags, prompts and attachments, on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from journal_service.models import (
    EntryKind,
    JournalAttachment,
    JournalEntry,
    JournalPrompt,
    JournalTag,
    count_words,
    journal_entry_tags,
)
from shared_service.models import File, User
from sqlalchemy.orm import Session

from tests.services.constraints import rejected_by_database


def _count(session: Session, what: Any) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(what)) or 0


def _entry(user: User, content: str = "Walked by the river.", **extra: Any) -> JournalEntry:
    return JournalEntry(user_id=user.id, content=content, **extra)


def test_entry_defaults(session: Session, user: User) -> None:
    entry = _entry(user)
    session.add(entry)
    session.commit()
    session.expire_all()

    assert entry.kind is EntryKind.FREEFORM
    assert entry.entry_date == dt.datetime.now(dt.UTC).date()
    assert entry.word_count == 4
    assert (entry.is_private, entry.is_pinned) == (True, False)
    stored_kind = session.scalar(sa.select(JournalEntry.__table__.c.kind))
    assert stored_kind == "freeform"


def test_entry_belongs_to_an_existing_user(session: Session) -> None:
    session.add(JournalEntry(user_id=uuid.uuid4(), content="Nobody wrote this."))
    with rejected_by_database():
        session.flush()


def test_deleting_the_user_deletes_entries_tags_and_links(session: Session, user: User) -> None:
    other = User(email="grace@example.com")
    session.add(other)
    session.commit()
    tag = JournalTag(user_id=user.id, name="family")
    session.add_all(
        [_entry(user, tags=[tag]), _entry(user), _entry(other, content="Someone else's day.")]
    )
    session.commit()
    user_id = user.id

    session.execute(sa.delete(User.__table__).where(User.__table__.c.id == user_id))
    session.commit()

    assert session.scalars(sa.select(JournalEntry.content)).all() == ["Someone else's day."]
    assert (_count(session, JournalTag), _count(session, journal_entry_tags)) == (0, 0)


def test_tags_are_many_to_many(session: Session, user: User) -> None:
    family, travel, work = (
        JournalTag(user_id=user.id, name=name) for name in ("family", "travel", "work")
    )
    first = _entry(user, "Trip to see my parents.", tags=[travel, family])
    second = _entry(user, "Flight home.", tags=[travel])
    session.add_all([first, second, work])
    session.commit()
    session.expire_all()

    assert [t.name for t in first.tags] == ["family", "travel"]
    assert {e.content for e in travel.entries} == {"Trip to see my parents.", "Flight home."}
    assert work.entries == []

    tagged_travel = (
        sa.select(JournalEntry.content)
        .join(JournalEntry.tags)
        .where(JournalTag.name == "travel")
        .order_by(JournalEntry.content)
    )
    assert session.scalars(tagged_travel).all() == ["Flight home.", "Trip to see my parents."]


@pytest.mark.parametrize("how", ["orm", "sql"])
def test_deleting_a_tag_unlinks_it(session: Session, user: User, how: str) -> None:
    travel = JournalTag(user_id=user.id, name="travel")
    family = JournalTag(user_id=user.id, name="family")
    entry = _entry(user, tags=[travel, family])
    session.add(entry)
    session.commit()

    if how == "orm":
        session.delete(travel)
    else:
        session.execute(sa.delete(JournalTag.__table__).where(JournalTag.name == "travel"))
    session.commit()
    session.expire_all()

    assert [t.name for t in entry.tags] == ["family"]
    assert _count(session, journal_entry_tags) == 1


@pytest.mark.parametrize("how", ["orm", "sql"])
def test_deleting_an_entry_keeps_its_tags(session: Session, user: User, how: str) -> None:
    entry = _entry(user, tags=[JournalTag(user_id=user.id, name="travel")])
    session.add(entry)
    session.commit()

    if how == "orm":
        session.delete(entry)
    else:
        session.execute(sa.delete(JournalEntry.__table__))
    session.commit()

    assert (_count(session, JournalEntry), _count(session, journal_entry_tags)) == (0, 0)
    assert session.scalars(sa.select(JournalTag.name)).all() == ["travel"]


def test_tag_names_are_unique_per_user(session: Session, user: User) -> None:
    other = User(email="grace@example.com")
    session.add(other)
    session.commit()
    session.add_all(
        [JournalTag(user_id=user.id, name="calm"), JournalTag(user_id=other.id, name="calm")]
    )
    session.commit()
    session.add(JournalTag(user_id=user.id, name="calm"))
    with rejected_by_database():
        session.flush()


def test_an_entry_carries_a_tag_once(session: Session, user: User) -> None:
    tag = JournalTag(user_id=user.id, name="calm")
    entry = _entry(user)
    session.add_all([tag, entry])
    session.commit()
    link = {"entry_id": entry.id, "tag_id": tag.id}
    session.execute(sa.insert(journal_entry_tags).values(link))
    with rejected_by_database():
        session.execute(sa.insert(journal_entry_tags).values(link))


def test_mood_score_is_checked_in_python_and_in_the_database(session: Session, user: User) -> None:
    with pytest.raises(ValueError, match="mood_score must be between 1 and 5, not 6"):
        _entry(user, mood_score=6)
    session.add(_entry(user, mood_score=5))
    session.commit()

    with rejected_by_database():
        session.execute(
            sa.update(JournalEntry.__table__).values(mood_score=0),
        )


def test_prompts_and_kinds(session: Session, user: User) -> None:
    prompt = JournalPrompt(text="What are you grateful for today?", category="gratitude")
    entry = _entry(user, "My sister's call.", kind=EntryKind.GRATITUDE, prompt=prompt)
    session.add(entry)
    session.commit()
    session.expire_all()

    assert entry.kind is EntryKind.GRATITUDE
    assert entry.prompt is not None
    assert entry.prompt.text == "What are you grateful for today?"
    assert [e.content for e in prompt.entries] == ["My sister's call."]

    session.execute(sa.delete(JournalPrompt.__table__))
    session.commit()
    session.expire_all()
    assert entry.prompt_id is None


def test_entries_by_day(session: Session, user: User) -> None:
    days = [dt.date(2025, 3, d) for d in (3, 1, 2)]
    session.add_all([_entry(user, f"Day {d.day}.", entry_date=d) for d in days])
    session.commit()
    by_day = sa.select(JournalEntry.content).where(
        JournalEntry.user_id == user.id, JournalEntry.entry_date >= dt.date(2025, 3, 2)
    )
    assert session.scalars(by_day.order_by(JournalEntry.entry_date)).all() == ["Day 2.", "Day 3."]


def test_attachments_follow_entry_and_file(session: Session, user: User) -> None:
    photo = File(
        owner_id=user.id,
        filename="river.jpg",
        content_type="image/jpeg",
        size_bytes=2048,
        storage_key="u/1/river.jpg",
    )
    session.add(photo)
    session.commit()
    entry = _entry(user)
    entry.attachments = [
        JournalAttachment(file_id=photo.id, caption="The river", position=1),
    ]
    session.add(entry)
    session.commit()
    session.expire_all()
    assert [a.caption for a in entry.attachments] == ["The river"]

    session.add(JournalAttachment(entry_id=entry.id, file_id=photo.id))
    with rejected_by_database():
        session.flush()
    session.rollback()

    session.execute(sa.delete(File.__table__))
    session.commit()
    assert _count(session, JournalAttachment) == 0
    assert _count(session, JournalEntry) == 1


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", 0),
        (None, 0),
        ("One.", 1),
        ("It's a well-known place.", 4),
        ("It\u2019s fine", 2),
        ("  spaced\n\nout\twords  ", 3),
        ("Café à Paris", 3),
    ],
)
def test_count_words(text: str | None, words: int) -> None:
    assert count_words(text) == words


def test_word_count_follows_content() -> None:
    entry = JournalEntry(content="one two")
    assert entry.word_count == 2
    entry.content = "one two three"
    assert entry.word_count == 3
