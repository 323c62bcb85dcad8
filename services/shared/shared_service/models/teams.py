"""Teams: organisations, their roles and permissions, memberships and invitations.

A role belongs to one team, or to none: roles without a team are the built-in
ones (owner, admin, member) every team can use. A permission grants one action
on one resource to one role.
"""

from __future__ import annotations

import enum
import secrets
import uuid
from datetime import UTC, datetime
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
    from shared_service.models.core import User


class InvitationStatus(enum.StrEnum):
    """What became of an invitation."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    REVOKED = "revoked"
    EXPIRED = "expired"


def _new_invitation_token() -> str:
    return secrets.token_urlsafe(32)


def _as_utc(moment: datetime) -> datetime:
    """SQLite and MariaDB hand timestamps back without a zone; they are stored in UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


class Team(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """A team (organisation) of users, addressed by its unique slug."""

    __tablename__ = "teams"

    name: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    slug: Mapped[str] = mapped_column(sa.String(100), nullable=False, unique=True)
    description: Mapped[str | None] = mapped_column(sa.Text())
    owner_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid(), sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    max_members: Mapped[int | None] = mapped_column(sa.Integer())
    settings: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False, default=dict)

    roles: Mapped[list[Role]] = relationship(
        back_populates="team", cascade="all, delete-orphan", passive_deletes=True
    )
    memberships: Mapped[list[TeamMembership]] = relationship(
        back_populates="team", cascade="all, delete-orphan", passive_deletes=True
    )
    invitations: Mapped[list[TeamInvitation]] = relationship(
        back_populates="team", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<Team {self.slug!r}>"


class Role(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """A named set of permissions, for one team or (team_id NULL) built in."""

    __tablename__ = "roles"
    __table_args__ = (sa.UniqueConstraint("team_id", "name"),)

    team_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid(), sa.ForeignKey("teams.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(sa.String(50), nullable=False)
    description: Mapped[str | None] = mapped_column(sa.String(255))
    is_system: Mapped[bool] = mapped_column(sa.Boolean(), nullable=False, default=False)

    team: Mapped[Team | None] = relationship(back_populates="roles")
    permissions: Mapped[list[Permission]] = relationship(
        back_populates="role", cascade="all, delete-orphan", passive_deletes=True
    )

    def allows(self, resource: str, action: str) -> bool:
        """Whether one of the role's permissions grants ``action`` on ``resource``."""
        return any(p.resource == resource and p.action == action for p in self.permissions)

    def __repr__(self) -> str:
        return f"<Role {self.name!r}>"


class Permission(UUIDPrimaryKeyMixin, Base):
    """The right to perform one action (``read``, ``write``...) on one resource."""

    __tablename__ = "permissions"
    __table_args__ = (sa.UniqueConstraint("role_id", "resource", "action"),)

    role_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(), sa.ForeignKey("roles.id", ondelete="CASCADE"), nullable=False
    )
    resource: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    action: Mapped[str] = mapped_column(sa.String(50), nullable=False)
    description: Mapped[str | None] = mapped_column(sa.String(255))

    role: Mapped[Role] = relationship(back_populates="permissions")

    def __repr__(self) -> str:
        return f"<Permission {self.action} on {self.resource}>"


class TeamMembership(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """A user's membership of a team, with their role; a user joins a team once.

    Deleting a role leaves its members in the team without a role (``role_id``
    NULL, no permissions) until they are given another one.
    """

    __tablename__ = "team_memberships"
    __table_args__ = (sa.UniqueConstraint("team_id", "user_id"),)

    team_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(), sa.ForeignKey("teams.id", ondelete="CASCADE"), nullable=False
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    role_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid(), sa.ForeignKey("roles.id", ondelete="SET NULL"), index=True
    )
    invited_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid(), sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    joined_at: Mapped[datetime] = mapped_column(Timestamp, nullable=False, default=utcnow)

    team: Mapped[Team] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship(back_populates="team_memberships", foreign_keys=[user_id])
    role: Mapped[Role | None] = relationship()
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])

    def __repr__(self) -> str:
        return f"<TeamMembership {self.user_id} in {self.team_id}>"


class TeamInvitation(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """An invitation to join a team, sent to an email address.

    ``role_id`` is the role the invitee gets on accepting; NULL means the
    team's default role.
    """

    __tablename__ = "team_invitations"
    __table_args__ = (sa.Index(None, "team_id", "email"),)

    team_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(), sa.ForeignKey("teams.id", ondelete="CASCADE"), nullable=False
    )
    email: Mapped[str] = mapped_column(sa.String(320), nullable=False)
    role_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid(), sa.ForeignKey("roles.id", ondelete="SET NULL"), index=True
    )
    invited_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid(), sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    token: Mapped[str] = mapped_column(
        sa.String(64), nullable=False, unique=True, default=_new_invitation_token
    )
    status: Mapped[InvitationStatus] = mapped_column(
        sa.Enum(
            InvitationStatus,
            name="shared_invitation_status",
            values_callable=lambda members: [m.value for m in members],
        ),
        nullable=False,
        default=InvitationStatus.PENDING,
    )
    expires_at: Mapped[datetime] = mapped_column(Timestamp, nullable=False)
    responded_at: Mapped[datetime | None] = mapped_column(Timestamp)

    team: Mapped[Team] = relationship(back_populates="invitations")
    role: Mapped[Role | None] = relationship()
    invited_by: Mapped[User | None] = relationship()

    def is_open(self, now: datetime | None = None) -> bool:
        """True while the invitation is pending and not past its expiry."""
        if self.status is not InvitationStatus.PENDING:
            return False
        return _as_utc(now or utcnow()) < _as_utc(self.expires_at)

    def __repr__(self) -> str:
        return f"<TeamInvitation {self.email!r} to {self.team_id} {self.status}>"
