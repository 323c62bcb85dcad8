"""Attachments: files (photos, voice notes) attached to an entry.

The file itself is a row of the shared service's ``files`` table, referred to
by name only; this row places it in an entry, with a caption and a position.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from journal_service.models.base import Base, TimestampMixin, UUIDPrimaryKeyMixin

if TYPE_CHECKING:
    from journal_service.models.entry import JournalEntry


class JournalAttachment(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """A file attached to an entry, at a position; a file is attached to an entry once."""

    __tablename__ = "journal_attachments"
    __table_args__ = (sa.UniqueConstraint("entry_id", "file_id"),)

    entry_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(), sa.ForeignKey("journal_entries.id", ondelete="CASCADE"), nullable=False
    )
    file_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(),
        # another service's table: see "Foreign keys to other services" in base.py
        sa.ForeignKey("files.id", ondelete="CASCADE", use_alter=True),
        nullable=False,
        index=True,
    )
    caption: Mapped[str | None] = mapped_column(sa.String(500))
    position: Mapped[int] = mapped_column(sa.Integer(), nullable=False, default=0)

    entry: Mapped[JournalEntry] = relationship(back_populates="attachments")

    def __repr__(self) -> str:
        return f"<JournalAttachment {self.file_id} in {self.entry_id}>"
