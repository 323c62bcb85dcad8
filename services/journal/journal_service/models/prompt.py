"""Writing prompts offered to every user ("What are you grateful for today?")."""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from journal_service.models.base import Base, TimestampMixin, UUIDPrimaryKeyMixin

if TYPE_CHECKING:
    from journal_service.models.entry import JournalEntry


class JournalPrompt(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """A prompt; entries written from it keep a link, which becomes NULL if it is deleted."""

    __tablename__ = "journal_prompts"
    __table_args__ = (sa.Index(None, "is_active", "category"),)

    text: Mapped[str] = mapped_column(sa.String(500), nullable=False, unique=True)
    category: Mapped[str | None] = mapped_column(sa.String(50))
    is_active: Mapped[bool] = mapped_column(sa.Boolean(), nullable=False, default=True)

    entries: Mapped[list[JournalEntry]] = relationship(back_populates="prompt")

    def __repr__(self) -> str:
        return f"<JournalPrompt {self.text[:30]!r}>"
