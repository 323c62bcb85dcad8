"""File storage: file metadata, sharing, resumable uploads and the access log.

The bytes live in object storage under ``storage_key``; these rows describe
them. A file is soft-deleted first (``deleted_at``) so that shares stop working
at once while the object is removed in the background.
"""

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
    from shared_service.models.core import User


def _values(members: type[enum.Enum]) -> list[str]:
    return [member.value for member in members]


class SharePermission(enum.StrEnum):
    """What a share lets its holder do with the file."""

    VIEW = "view"
    EDIT = "edit"


class UploadStatus(enum.StrEnum):
    """Where a chunked upload stands."""

    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    ABORTED = "aborted"
    EXPIRED = "expired"


class FileAction(enum.StrEnum):
    """What was done to a file, for the access log."""

    VIEW = "view"
    DOWNLOAD = "download"
    UPDATE = "update"
    SHARE = "share"
    DELETE = "delete"


class File(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """A stored file, owned by a user and optionally shared with their team."""

    __tablename__ = "files"
    __table_args__ = (
        sa.Index(None, "owner_id", "created_at"),
        sa.CheckConstraint("size_bytes >= 0", name="size_not_negative"),
    )

    owner_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    team_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid(), sa.ForeignKey("teams.id", ondelete="SET NULL"), index=True
    )
    filename: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    content_type: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    size_bytes: Mapped[int] = mapped_column(sa.BigInteger(), nullable=False)
    storage_backend: Mapped[str] = mapped_column(sa.String(50), nullable=False, default="s3")
    storage_key: Mapped[str] = mapped_column(sa.String(512), nullable=False, unique=True)
    checksum_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    is_public: Mapped[bool] = mapped_column(sa.Boolean(), nullable=False, default=False)
    extra_data: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False, default=dict)
    deleted_at: Mapped[datetime | None] = mapped_column(Timestamp)

    owner: Mapped[User] = relationship(back_populates="files")
    shares: Mapped[list[FileShare]] = relationship(
        back_populates="file", cascade="all, delete-orphan", passive_deletes=True
    )
    access_logs: Mapped[list[FileAccessLog]] = relationship(
        back_populates="file", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def is_deleted(self) -> bool:
        """True once the file has been soft-deleted."""
        return self.deleted_at is not None

    def soft_delete(self) -> None:
        """Mark the file deleted now; the storage object is removed later."""
        if self.deleted_at is None:
            self.deleted_at = utcnow()

    def __repr__(self) -> str:
        return f"<File {self.filename!r}>"


class FileShare(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """A file shared with one user, or through a link token (or both)."""

    __tablename__ = "file_shares"
    __table_args__ = (
        sa.UniqueConstraint("file_id", "shared_with_id"),
        sa.CheckConstraint(
            "shared_with_id IS NOT NULL OR link_token IS NOT NULL", name="has_recipient"
        ),
    )

    file_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(), sa.ForeignKey("files.id", ondelete="CASCADE"), nullable=False
    )
    shared_with_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    shared_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid(), sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    link_token: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    permission: Mapped[SharePermission] = mapped_column(
        sa.Enum(SharePermission, name="shared_file_share_permission", values_callable=_values),
        nullable=False,
        default=SharePermission.VIEW,
    )
    expires_at: Mapped[datetime | None] = mapped_column(Timestamp)

    file: Mapped[File] = relationship(back_populates="shares")

    def __repr__(self) -> str:
        return f"<FileShare {self.permission} of {self.file_id}>"


class FileUploadSession(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """A resumable, chunked upload; it becomes a :class:`File` when every chunk arrived."""

    __tablename__ = "file_upload_sessions"
    __table_args__ = (
        sa.Index(None, "user_id", "status"),
        sa.CheckConstraint("chunk_size > 0", name="chunk_size_positive"),
        sa.CheckConstraint(
            "uploaded_bytes >= 0 AND uploaded_bytes <= total_size", name="progress_in_range"
        ),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    file_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid(), sa.ForeignKey("files.id", ondelete="SET NULL"), index=True
    )
    filename: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    content_type: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    total_size: Mapped[int] = mapped_column(sa.BigInteger(), nullable=False)
    chunk_size: Mapped[int] = mapped_column(sa.Integer(), nullable=False)
    uploaded_bytes: Mapped[int] = mapped_column(sa.BigInteger(), nullable=False, default=0)
    storage_upload_id: Mapped[str | None] = mapped_column(sa.String(255))
    status: Mapped[UploadStatus] = mapped_column(
        sa.Enum(UploadStatus, name="shared_upload_status", values_callable=_values),
        nullable=False,
        default=UploadStatus.IN_PROGRESS,
    )
    expires_at: Mapped[datetime] = mapped_column(Timestamp, nullable=False)
    completed_at: Mapped[datetime | None] = mapped_column(Timestamp)

    @property
    def total_chunks(self) -> int:
        """How many chunks the whole upload takes."""
        return -(-self.total_size // self.chunk_size)

    @property
    def progress(self) -> float:
        """Uploaded fraction, from 0.0 to 1.0."""
        return 1.0 if self.total_size == 0 else (self.uploaded_bytes or 0) / self.total_size

    def __repr__(self) -> str:
        return f"<FileUploadSession {self.filename!r} {self.status}>"


class FileAccessLog(UUIDPrimaryKeyMixin, Base):
    """One access to a file; kept when the user is deleted (``user_id`` NULL)."""

    __tablename__ = "file_access_logs"
    __table_args__ = (sa.Index(None, "file_id", "created_at"),)

    file_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(), sa.ForeignKey("files.id", ondelete="CASCADE"), nullable=False
    )
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid(), sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[FileAction] = mapped_column(
        sa.Enum(FileAction, name="shared_file_action", values_callable=_values), nullable=False
    )
    ip_address: Mapped[str | None] = mapped_column(sa.String(45))
    user_agent: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(Timestamp, nullable=False, default=utcnow)

    file: Mapped[File] = relationship(back_populates="access_logs")

    def __repr__(self) -> str:
        return f"<FileAccessLog {self.action} of {self.file_id}>"
