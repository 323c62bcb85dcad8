"""Output variables of post-response modules, kept for the conversation's next turns.

After the AI response, stage 4 and stage 5 modules run and leave variables
behind; the next turn's stage 1 reads them back. One row holds the latest
result of one module in one stage of one conversation: storing again
replaces it.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import ScalarResult
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from agent_service.models.base import (
    Base,
    JSONType,
    Timestamp,
    TimestampMixin,
    UUIDPrimaryKeyMixin,
    code_string,
    utcnow,
)

if TYPE_CHECKING:
    from agent_service.models.module import Module


class ExecutionStage(enum.StrEnum):
    """The post-response stages whose results are stored."""

    STAGE4 = "stage4"
    STAGE5 = "stage5"


def _stage_value(stage: ExecutionStage | str) -> str:
    try:
        return ExecutionStage(stage).value
    except ValueError:
        allowed = ", ".join(repr(s.value) for s in ExecutionStage)
        raise ValueError(f"execution_stage must be one of {allowed}, not {stage!r}") from None


class ConversationState(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """The variables one module produced in one stage of one conversation.

    ``conversation_id`` is an identifier, not a foreign key: states are kept
    and cleaned up by conversation id. Deleting the module deletes its states.
    """

    __tablename__ = "conversation_states"
    __table_args__ = (
        # Named by hand: the conventional name would be 64 characters, one more than
        # PostgreSQL keeps.
        sa.UniqueConstraint(
            "conversation_id",
            "module_id",
            "execution_stage",
            name="uq_conversation_states_conversation_module_stage",
        ),
        sa.CheckConstraint("execution_stage IN ('stage4', 'stage5')", name="execution_stage_valid"),
        sa.Index(None, "module_id"),
    )

    conversation_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), nullable=False)
    module_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(), sa.ForeignKey("modules.id", ondelete="CASCADE"), nullable=False
    )
    execution_stage: Mapped[str] = mapped_column(code_string(20), nullable=False)
    variables: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False, default=dict)
    execution_metadata: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    executed_at: Mapped[datetime] = mapped_column(Timestamp, nullable=False, default=utcnow)

    module: Mapped[Module] = relationship(back_populates="states")

    @classmethod
    def get_for_conversation(
        cls, db: Session, conversation_id: uuid.UUID
    ) -> ScalarResult[ConversationState]:
        """Every state of the conversation, oldest execution first (call ``.all()`` for a list)."""
        query = (
            sa.select(cls)
            .where(cls.conversation_id == conversation_id)
            .order_by(cls.executed_at, cls.id)
        )
        return db.scalars(query)

    @classmethod
    def get_latest_for_module(
        cls, db: Session, conversation_id: uuid.UUID, module_id: uuid.UUID
    ) -> ConversationState | None:
        """The most recent state the module left in the conversation, in either stage."""
        query = (
            sa.select(cls)
            .where(cls.conversation_id == conversation_id, cls.module_id == module_id)
            .order_by(cls.executed_at.desc(), cls.id)
            .limit(1)
        )
        return db.scalars(query).first()

    @classmethod
    def store_execution_result(
        cls,
        db: Session,
        conversation_id: uuid.UUID,
        module_id: uuid.UUID,
        execution_stage: ExecutionStage | str,
        *,
        variables: dict[str, Any],
        execution_metadata: dict[str, Any] | None = None,
    ) -> ConversationState:
        """Store a module's result, replacing its previous result for the same stage.

        The row is flushed, not committed: the caller's transaction decides.
        ``execution_stage`` must be ``"stage4"`` or ``"stage5"`` (ValueError otherwise).
        """
        stage = _stage_value(execution_stage)
        state = db.scalars(
            sa.select(cls).where(
                cls.conversation_id == conversation_id,
                cls.module_id == module_id,
                cls.execution_stage == stage,
            )
        ).first()
        if state is None:
            state = cls(conversation_id=conversation_id, module_id=module_id, execution_stage=stage)
            db.add(state)
        state.variables = dict(variables)
        state.execution_metadata = (
            dict(execution_metadata) if execution_metadata is not None else None
        )
        state.executed_at = utcnow()
        db.flush()
        return state

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form for the API: ids as strings, the time in ISO 8601."""
        return {
            "id": str(self.id),
            "conversation_id": str(self.conversation_id),
            "module_id": str(self.module_id),
            "execution_stage": self.execution_stage,
            "variables": self.variables,
            "execution_metadata": self.execution_metadata,
            "executed_at": self.executed_at.isoformat() if self.executed_at else None,
        }

    def __repr__(self) -> str:
        return f"<ConversationState {self.execution_stage} of module {self.module_id}>"
