"""Tags: a user's own labels for their entries."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from journal_service.models.base import Base, TimestampMixin, UUIDPrimaryKeyMixin
from journal_service.models.entry import journal_entry_tags

if TYPE_CHECKING:
    from journal_service.models.entry import JournalEntry


class JournalTag(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """A tag of one user; names are unique per user. Deleting a tag unlinks it from entries."""

    __tablename__ = "journal_tags"
    __table_args__ = (sa.UniqueConstraint("user_id", "name"),)

    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(),
        # another service's table: see "Foreign keys to other services" in base.py
        sa.ForeignKey("users.id", ondelete="CASCADE", use_alter=True),
        nullable=False,
    )
    name: Mapped[str] = mapped_column(sa.String(50), nullable=False)
    color: Mapped[str | None] = mapped_column(sa.String(7))

    entries: Mapped[list[JournalEntry]] = relationship(
        secondary=journal_entry_tags, back_populates="tags", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<JournalTag {self.name!r}>"
