"""Email: templates, the log of every email sent, and each user's preferences."""

from __future__ import annotations

import enum
import secrets
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
)

if TYPE_CHECKING:
    from shared_service.models.core import User


class EmailStatus(enum.StrEnum):
    """Delivery state of one email, as reported by the provider."""

    QUEUED = "queued"
    SENT = "sent"
    DELIVERED = "delivered"
    BOUNCED = "bounced"
    FAILED = "failed"


class EmailCategory(enum.StrEnum):
    """What an email is about; users can opt out of every category but transactional."""

    TRANSACTIONAL = "transactional"
    PRODUCT_UPDATES = "product_updates"
    MARKETING = "marketing"
    DIGEST = "digest"


def _new_unsubscribe_token() -> str:
    return secrets.token_urlsafe(32)


class EmailTemplate(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """A named email template; ``variables`` lists the placeholders it expects."""

    __tablename__ = "email_templates"

    key: Mapped[str] = mapped_column(sa.String(100), nullable=False, unique=True)
    category: Mapped[EmailCategory] = mapped_column(
        sa.Enum(
            EmailCategory,
            name="shared_email_category",
            values_callable=lambda members: [m.value for m in members],
        ),
        nullable=False,
        default=EmailCategory.TRANSACTIONAL,
    )
    subject: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    html_body: Mapped[str] = mapped_column(sa.Text(), nullable=False)
    text_body: Mapped[str | None] = mapped_column(sa.Text())
    description: Mapped[str | None] = mapped_column(sa.String(500))
    variables: Mapped[list[str]] = mapped_column(JSONType, nullable=False, default=list)
    is_active: Mapped[bool] = mapped_column(sa.Boolean(), nullable=False, default=True)

    notifications: Mapped[list[EmailNotification]] = relationship(back_populates="template")

    def __repr__(self) -> str:
        return f"<EmailTemplate {self.key!r}>"


class EmailNotification(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """One email sent (or queued) to one recipient; kept when its user or template goes."""

    __tablename__ = "email_notifications"
    __table_args__ = (sa.Index(None, "user_id", "created_at"),)

    user_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid(), sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    template_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid(), sa.ForeignKey("email_templates.id", ondelete="SET NULL"), index=True
    )
    recipient: Mapped[str] = mapped_column(sa.String(320), nullable=False)
    subject: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    status: Mapped[EmailStatus] = mapped_column(
        sa.Enum(
            EmailStatus,
            name="shared_email_status",
            values_callable=lambda members: [m.value for m in members],
        ),
        nullable=False,
        default=EmailStatus.QUEUED,
    )
    provider_message_id: Mapped[str | None] = mapped_column(sa.String(255), unique=True)
    context: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False, default=dict)
    error: Mapped[str | None] = mapped_column(sa.Text())
    sent_at: Mapped[datetime | None] = mapped_column(Timestamp)
    opened_at: Mapped[datetime | None] = mapped_column(Timestamp)

    template: Mapped[EmailTemplate | None] = relationship(back_populates="notifications")

    def __repr__(self) -> str:
        return f"<EmailNotification to {self.recipient!r} {self.status}>"


class EmailPreference(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """What a user agreed to receive (one row per user), and their unsubscribe token."""

    __tablename__ = "email_preferences"

    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    product_updates: Mapped[bool] = mapped_column(sa.Boolean(), nullable=False, default=True)
    marketing: Mapped[bool] = mapped_column(sa.Boolean(), nullable=False, default=False)
    digest: Mapped[bool] = mapped_column(sa.Boolean(), nullable=False, default=True)
    unsubscribe_token: Mapped[str] = mapped_column(
        sa.String(64), nullable=False, unique=True, default=_new_unsubscribe_token
    )
    unsubscribed_all_at: Mapped[datetime | None] = mapped_column(Timestamp)

    user: Mapped[User] = relationship(back_populates="email_preference")

    def allows(self, category: EmailCategory) -> bool:
        """Whether an email of ``category`` may be sent; transactional email always may."""
        if category is EmailCategory.TRANSACTIONAL:
            return True
        if self.unsubscribed_all_at is not None:
            return False
        return {
            EmailCategory.PRODUCT_UPDATES: self.product_updates,
            EmailCategory.MARKETING: self.marketing,
            EmailCategory.DIGEST: self.digest,
        }[category]

    def __repr__(self) -> str:
        return f"<EmailPreference of {self.user_id}>"
