"""Journal entries: what a user wrote on a day, its kind, mood, prompt and tags."""

from __future__ import annotations

import datetime as dt
import enum
import re
import uuid
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from journal_service.models.base import Base, TimestampMixin, UUIDPrimaryKeyMixin, utcnow

if TYPE_CHECKING:
    from journal_service.models.attachment import JournalAttachment
    from journal_service.models.prompt import JournalPrompt
    from journal_service.models.tag import JournalTag

_WORD = re.compile(r"\w+(?:['\u2019-]\w+)*")

#: The mood scale: 1 (very low) to 5 (very good).
MOOD_MIN, MOOD_MAX = 1, 5


class EntryKind(enum.StrEnum):
    """The kinds of entry the journal offers."""

    FREEFORM = "freeform"
    GRATITUDE = "gratitude"
    REFLECTION = "reflection"
    DREAM = "dream"
    GOAL = "goal"


def count_words(text: str | None) -> int:
    """Words in ``text``; contractions and hyphenated words count once."""
    return len(_WORD.findall(text or ""))


def _today() -> dt.date:
    return utcnow().date()


#: Which tags an entry carries; both sides cascade on delete.
journal_entry_tags = sa.Table(
    "journal_entry_tags",
    Base.metadata,
    sa.Column(
        "entry_id",
        sa.Uuid(),
        sa.ForeignKey("journal_entries.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "tag_id",
        sa.Uuid(),
        sa.ForeignKey("journal_tags.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class JournalEntry(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """One journal entry of a user.

    ``user_id`` refers to the ``users`` table of the shared service; the
    foreign key is declared by name only. Deleting the user deletes their
    entries; deleting an entry deletes its attachments and tag links.
    ``entry_date`` is the day the entry is about (today by default), which may
    differ from when it was written. ``word_count`` follows ``content``.
    """

    __tablename__ = "journal_entries"
    __table_args__ = (
        sa.Index(None, "user_id", "entry_date"),
        sa.CheckConstraint(
            f"mood_score IS NULL OR (mood_score >= {MOOD_MIN} AND mood_score <= {MOOD_MAX})",
            name="mood_score_range",
        ),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(),
        # another service's table: see "Foreign keys to other services" in base.py
        sa.ForeignKey("users.id", ondelete="CASCADE", use_alter=True),
        nullable=False,
    )
    kind: Mapped[EntryKind] = mapped_column(
        sa.Enum(
            EntryKind,
            name="journal_entry_kind",
            values_callable=lambda kinds: [kind.value for kind in kinds],
        ),
        nullable=False,
        default=EntryKind.FREEFORM,
    )
    title: Mapped[str | None] = mapped_column(sa.String(255))
    content: Mapped[str] = mapped_column(sa.Text(), nullable=False)
    entry_date: Mapped[dt.date] = mapped_column(sa.Date(), nullable=False, default=_today)
    mood_score: Mapped[int | None] = mapped_column(sa.SmallInteger())
    prompt_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid(), sa.ForeignKey("journal_prompts.id", ondelete="SET NULL"), index=True
    )
    word_count: Mapped[int] = mapped_column(sa.Integer(), nullable=False, default=0)
    is_private: Mapped[bool] = mapped_column(sa.Boolean(), nullable=False, default=True)
    is_pinned: Mapped[bool] = mapped_column(sa.Boolean(), nullable=False, default=False)

    prompt: Mapped[JournalPrompt | None] = relationship(back_populates="entries")
    tags: Mapped[list[JournalTag]] = relationship(
        secondary=journal_entry_tags,
        back_populates="entries",
        order_by="JournalTag.name",
        passive_deletes=True,
    )
    attachments: Mapped[list[JournalAttachment]] = relationship(
        back_populates="entry",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="JournalAttachment.position",
    )

    @validates("content")
    def _track_word_count(self, _key: str, content: str) -> str:
        self.word_count = count_words(content)
        return content

    @validates("mood_score")
    def _check_mood(self, _key: str, score: int | None) -> int | None:
        if score is not None and not MOOD_MIN <= score <= MOOD_MAX:
            raise ValueError(f"mood_score must be between {MOOD_MIN} and {MOOD_MAX}, not {score}")
        return score

    def __repr__(self) -> str:
        return f"<JournalEntry {self.kind} {self.entry_date}>"
