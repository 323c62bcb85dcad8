"""Conversations with a persona, and their messages."""

from __future__ import annotations

import enum
import uuid
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from agent_service.models.base import Base, JSONType, TimestampMixin, UUIDPrimaryKeyMixin

if TYPE_CHECKING:
    from agent_service.models.persona import Persona


class MessageRole(enum.StrEnum):
    """Who wrote a message."""

    USER = "user"
    ASSISTANT = "assistant"
    SYSTEM = "system"


class Conversation(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """A chat between a user and (optionally) a persona, through one model provider.

    ``user_id`` refers to the ``users`` table of the shared service; the foreign
    key is declared by name only, so the agent service never imports it.
    Deleting the user or the persona deletes the conversation; deleting the
    conversation deletes its messages.
    """

    __tablename__ = "conversations"
    __table_args__ = (sa.Index(None, "user_id", "updated_at"),)

    title: Mapped[str] = mapped_column(sa.String(255), nullable=False, default="New conversation")
    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(),
        # another service's table: see "Foreign keys to other services" in base.py
        sa.ForeignKey("users.id", ondelete="CASCADE", use_alter=True),
        nullable=False,
    )
    persona_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid(), sa.ForeignKey("personas.id", ondelete="CASCADE"), index=True
    )
    provider_type: Mapped[str | None] = mapped_column(sa.String(50))
    provider_config: Mapped[dict[str, Any] | None] = mapped_column(JSONType)

    persona: Mapped[Persona | None] = relationship(back_populates="conversations")
    messages: Mapped[list[Message]] = relationship(
        back_populates="conversation",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="(Message.created_at, Message.id)",
    )

    def __repr__(self) -> str:
        return f"<Conversation {self.title!r}>"


class Message(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """One message of a conversation, with the model's reasoning and token counts."""

    __tablename__ = "messages"
    __table_args__ = (sa.Index(None, "conversation_id", "created_at"),)

    conversation_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(), sa.ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False
    )
    role: Mapped[MessageRole] = mapped_column(
        sa.Enum(
            MessageRole,
            name="agent_message_role",
            values_callable=lambda roles: [role.value for role in roles],
        ),
        nullable=False,
    )
    content: Mapped[str] = mapped_column(sa.Text(), nullable=False)
    thinking: Mapped[str | None] = mapped_column(sa.Text())
    extra_data: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    input_tokens: Mapped[int | None] = mapped_column(sa.Integer())
    output_tokens: Mapped[int | None] = mapped_column(sa.Integer())

    conversation: Mapped[Conversation] = relationship(back_populates="messages")

    def __repr__(self) -> str:
        return f"<Message {self.role.value} in {self.conversation_id}>"
