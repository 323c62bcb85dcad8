"""AI personas: a system prompt template with module placeholders, a mode and settings."""

from __future__ import annotations

import enum
import re
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from agent_service.models.base import (
    Base,
    JSONType,
    TimestampMixin,
    UUIDPrimaryKeyMixin,
    code_string,
)

if TYPE_CHECKING:
    from agent_service.models.conversation import Conversation

#: ``@module_name`` in a template: the module whose output replaces the placeholder.
#: An ``@`` inside a word (``ada@example.com``) is not a placeholder.
MODULE_PLACEHOLDER = re.compile(r"(?<![\w.])@([A-Za-z_][A-Za-z0-9_]*)")


class PersonaMode(enum.StrEnum):
    """How a persona talks: only when spoken to, or on its own loop."""

    REACTIVE = "reactive"
    AUTONOMOUS = "autonomous"


class Persona(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """A persona: its system prompt template, mode and presentation.

    Deleting a persona deletes its conversations (and, through them, their
    messages), both in the ORM and by the database's ``ON DELETE CASCADE``.
    """

    __tablename__ = "personas"
    __table_args__ = (
        sa.CheckConstraint("mode IN ('reactive', 'autonomous')", name="mode_valid"),
        sa.Index(None, "is_active", "created_at"),
    )

    name: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    description: Mapped[str | None] = mapped_column(sa.Text())
    template: Mapped[str] = mapped_column(sa.Text(), nullable=False)
    mode: Mapped[str] = mapped_column(
        code_string(20), nullable=False, default=PersonaMode.REACTIVE.value
    )
    loop_frequency: Mapped[str | None] = mapped_column(sa.String(10))
    first_message: Mapped[str | None] = mapped_column(sa.Text())
    image_path: Mapped[str | None] = mapped_column(sa.String(500))
    extra_data: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    is_active: Mapped[bool] = mapped_column(sa.Boolean(), nullable=False, default=True)

    conversations: Mapped[list[Conversation]] = relationship(
        back_populates="persona",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @property
    def module_names(self) -> list[str]:
        """The module names the template refers to (``@name``), in order, without repeats."""
        return list(dict.fromkeys(MODULE_PLACEHOLDER.findall(self.template or "")))

    def __repr__(self) -> str:
        return f"<Persona {self.name!r} ({self.mode})>"
