"""Core models: user accounts, AI agents, the tasks they run, and API usage."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared_service.models.base import (
    Base,
    JSONType,
    Timestamp,
    TimestampMixin,
    UUIDPrimaryKeyMixin,
    utcnow,
)

if TYPE_CHECKING:
    from shared_service.models.email import EmailPreference
    from shared_service.models.files import File
    from shared_service.models.stripe import StripeCustomer
    from shared_service.models.teams import TeamMembership


class TaskStatus(enum.StrEnum):
    """Where a task is in its life."""

    PENDING = "pending"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


class User(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """A user account. ``hashed_password`` is empty for accounts that sign in through a provider.

    Deleting a user deletes what only they own (agents, tasks, Stripe customer,
    email preferences, memberships, files).
    """

    __tablename__ = "users"

    email: Mapped[str] = mapped_column(sa.String(320), nullable=False, unique=True)
    hashed_password: Mapped[str | None] = mapped_column(sa.String(255))
    full_name: Mapped[str | None] = mapped_column(sa.String(255))
    is_active: Mapped[bool] = mapped_column(sa.Boolean(), nullable=False, default=True)
    is_verified: Mapped[bool] = mapped_column(sa.Boolean(), nullable=False, default=False)
    is_superuser: Mapped[bool] = mapped_column(sa.Boolean(), nullable=False, default=False)
    last_login_at: Mapped[datetime | None] = mapped_column(Timestamp)

    agents: Mapped[list[Agent]] = relationship(
        back_populates="owner", cascade="all, delete-orphan", passive_deletes=True
    )
    tasks: Mapped[list[Task]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )
    stripe_customer: Mapped[StripeCustomer | None] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )
    email_preference: Mapped[EmailPreference | None] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )
    team_memberships: Mapped[list[TeamMembership]] = relationship(
        back_populates="user",
        cascade="all, delete-orphan",
        passive_deletes=True,
        foreign_keys="TeamMembership.user_id",
    )
    files: Mapped[list[File]] = relationship(
        back_populates="owner", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<User {self.email!r}>"


class Agent(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """An AI agent a user configured: its model, system prompt and settings."""

    __tablename__ = "agents"
    __table_args__ = (sa.UniqueConstraint("owner_id", "name"),)

    owner_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    name: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    description: Mapped[str | None] = mapped_column(sa.Text())
    model: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    system_prompt: Mapped[str | None] = mapped_column(sa.Text())
    config: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False, default=dict)
    is_active: Mapped[bool] = mapped_column(sa.Boolean(), nullable=False, default=True)

    owner: Mapped[User] = relationship(back_populates="agents")
    tasks: Mapped[list[Task]] = relationship(
        back_populates="agent", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<Agent {self.name!r}>"


class Task(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """One run of an agent for a user, tracked from queueing to its result."""

    __tablename__ = "tasks"
    __table_args__ = (
        sa.Index(None, "agent_id", "created_at"),
        sa.Index(None, "user_id", "status"),
    )

    agent_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(), sa.ForeignKey("agents.id", ondelete="CASCADE"), nullable=False
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    status: Mapped[TaskStatus] = mapped_column(
        sa.Enum(
            TaskStatus,
            name="shared_task_status",
            values_callable=lambda members: [m.value for m in members],
        ),
        nullable=False,
        default=TaskStatus.PENDING,
    )
    input: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False, default=dict)
    output: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    error: Mapped[str | None] = mapped_column(sa.Text())
    worker_task_id: Mapped[str | None] = mapped_column(sa.String(255), unique=True)
    started_at: Mapped[datetime | None] = mapped_column(Timestamp)
    finished_at: Mapped[datetime | None] = mapped_column(Timestamp)

    agent: Mapped[Agent] = relationship(back_populates="tasks")
    user: Mapped[User] = relationship(back_populates="tasks")

    @property
    def is_finished(self) -> bool:
        """True once the task succeeded, failed or was cancelled."""
        return self.status in {TaskStatus.SUCCEEDED, TaskStatus.FAILED, TaskStatus.CANCELLED}

    def __repr__(self) -> str:
        return f"<Task {self.id} {self.status}>"


class ApiCall(UUIDPrimaryKeyMixin, Base):
    """One request to the API, for usage monitoring and rate limits.

    The row outlives its user (``user_id`` becomes NULL): usage totals stay right.
    """

    __tablename__ = "api_calls"
    __table_args__ = (sa.Index(None, "user_id", "created_at"),)

    user_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid(), sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    method: Mapped[str] = mapped_column(sa.String(10), nullable=False)
    endpoint: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    status_code: Mapped[int] = mapped_column(sa.SmallInteger(), nullable=False)
    duration_ms: Mapped[int] = mapped_column(sa.Integer(), nullable=False)
    tokens_used: Mapped[int | None] = mapped_column(sa.Integer())
    ip_address: Mapped[str | None] = mapped_column(sa.String(45))
    user_agent: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(
        Timestamp, nullable=False, default=utcnow, index=True
    )

    def __repr__(self) -> str:
        return f"<ApiCall {self.method} {self.endpoint} {self.status_code}>"
