"""Long-term memory: AI-compressed summaries of conversation segments.

When a conversation grows past its buffer window (messages 25-35), that
segment is compressed into a summary and stored with the next sequence
number; the window then moves on. Memories are numbered 1, 2, 3, ... per
conversation, and a number is never used twice in one conversation.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import ScalarResult
from sqlalchemy.orm import Mapped, Session, mapped_column

from agent_service.models.base import Base, Timestamp, UUIDPrimaryKeyMixin, utcnow


class ConversationMemory(UUIDPrimaryKeyMixin, Base):
    """One compressed segment of a conversation.

    ``conversation_id`` is an identifier, not a foreign key: memories are
    cleaned up explicitly with :meth:`clear_all_memories`.
    """

    __tablename__ = "conversation_memories"
    __table_args__ = (
        sa.UniqueConstraint("conversation_id", "memory_sequence"),
        sa.CheckConstraint("memory_sequence >= 1", name="memory_sequence_positive"),
    )

    conversation_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), nullable=False)
    memory_sequence: Mapped[int] = mapped_column(sa.Integer(), nullable=False)
    compressed_content: Mapped[str] = mapped_column(sa.Text(), nullable=False)
    original_message_range: Mapped[str | None] = mapped_column(sa.String(20))
    message_count_at_compression: Mapped[int | None] = mapped_column(sa.Integer())
    first_message_id: Mapped[str | None] = mapped_column(sa.String(100))
    created_at: Mapped[datetime] = mapped_column(Timestamp, nullable=False, default=utcnow)

    @classmethod
    def get_for_conversation(
        cls, db: Session, conversation_id: uuid.UUID
    ) -> ScalarResult[ConversationMemory]:
        """Every memory of the conversation in sequence order (call ``.all()`` for a list)."""
        query = (
            sa.select(cls)
            .where(cls.conversation_id == conversation_id)
            .order_by(cls.memory_sequence)
        )
        return db.scalars(query)

    @classmethod
    def get_recent_memories(
        cls, db: Session, conversation_id: uuid.UUID, limit: int = 10
    ) -> list[ConversationMemory]:
        """The ``limit`` most recent memories, oldest first, ready to be put into a prompt."""
        if limit < 1:
            return []
        query = (
            sa.select(cls)
            .where(cls.conversation_id == conversation_id)
            .order_by(cls.memory_sequence.desc())
            .limit(limit)
        )
        return list(reversed(db.scalars(query).all()))

    @classmethod
    def get_next_sequence_number(cls, db: Session, conversation_id: uuid.UUID) -> int:
        """The number the conversation's next memory gets: 1 for the first, then max + 1."""
        query = sa.select(sa.func.max(cls.memory_sequence)).where(
            cls.conversation_id == conversation_id
        )
        highest = db.scalar(query)
        return 1 if highest is None else int(highest) + 1

    @classmethod
    def store_memory(
        cls,
        db: Session,
        conversation_id: uuid.UUID,
        compressed_content: str,
        *,
        message_range: str | None = None,
        message_count: int | None = None,
        first_message_id: str | None = None,
    ) -> ConversationMemory:
        """Store a summary under the next sequence number (flushed, not committed).

        Two writers racing for the same number make the second flush fail on
        the unique constraint (conversation_id, memory_sequence) rather than
        store a duplicate.
        """
        memory = cls(
            conversation_id=conversation_id,
            memory_sequence=cls.get_next_sequence_number(db, conversation_id),
            compressed_content=compressed_content,
            original_message_range=message_range,
            message_count_at_compression=message_count,
            first_message_id=first_message_id,
        )
        db.add(memory)
        db.flush()
        return memory

    @classmethod
    def clear_all_memories(cls, db: Session, conversation_id: uuid.UUID) -> int:
        """Delete every memory of the conversation; return how many there were."""
        result = db.execute(sa.delete(cls).where(cls.conversation_id == conversation_id))
        return int(getattr(result, "rowcount", 0))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form for the API: ids as strings, the time in ISO 8601."""
        return {
            "id": str(self.id),
            "conversation_id": str(self.conversation_id),
            "memory_sequence": self.memory_sequence,
            "compressed_content": self.compressed_content,
            "original_message_range": self.original_message_range,
            "message_count_at_compression": self.message_count_at_compression,
            "first_message_id": self.first_message_id,
            "created_at": self.created_at.isoformat() if self.created_at else None,
        }

    def __repr__(self) -> str:
        return f"<ConversationMemory #{self.memory_sequence} of {self.conversation_id}>"
