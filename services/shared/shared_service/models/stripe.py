"""Billing through Stripe: customers, subscriptions, payments and the webhooks that report them.

Stripe is the source of truth; these rows mirror what its webhooks reported,
keyed by Stripe's own ids so that a replayed event updates instead of duplicating.
Amounts are integers in the currency's smallest unit (cents), as Stripe sends them.
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
)

if TYPE_CHECKING:
    from shared_service.models.core import User


def _values(members: type[enum.Enum]) -> list[str]:
    return [member.value for member in members]


class SubscriptionStatus(enum.StrEnum):
    """Stripe's subscription statuses."""

    INCOMPLETE = "incomplete"
    INCOMPLETE_EXPIRED = "incomplete_expired"
    TRIALING = "trialing"
    ACTIVE = "active"
    PAST_DUE = "past_due"
    CANCELED = "canceled"
    UNPAID = "unpaid"
    PAUSED = "paused"


class PaymentStatus(enum.StrEnum):
    """Where a payment stands."""

    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    REFUNDED = "refunded"


class WebhookStatus(enum.StrEnum):
    """What became of a received webhook event."""

    RECEIVED = "received"
    PROCESSED = "processed"
    FAILED = "failed"
    IGNORED = "ignored"


class StripeCustomer(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """The Stripe customer of a user (at most one per user)."""

    __tablename__ = "stripe_customers"

    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    stripe_customer_id: Mapped[str] = mapped_column(sa.String(255), nullable=False, unique=True)
    email: Mapped[str | None] = mapped_column(sa.String(320))
    default_payment_method_id: Mapped[str | None] = mapped_column(sa.String(255))

    user: Mapped[User] = relationship(back_populates="stripe_customer")
    subscriptions: Mapped[list[Subscription]] = relationship(
        back_populates="customer", cascade="all, delete-orphan", passive_deletes=True
    )
    payments: Mapped[list[Payment]] = relationship(
        back_populates="customer", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<StripeCustomer {self.stripe_customer_id}>"


class Subscription(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """A customer's subscription to a price, with its current billing period."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        sa.Index(None, "customer_id", "status"),
        sa.CheckConstraint("quantity >= 1", name="quantity_positive"),
    )

    customer_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(), sa.ForeignKey("stripe_customers.id", ondelete="CASCADE"), nullable=False
    )
    stripe_subscription_id: Mapped[str] = mapped_column(sa.String(255), nullable=False, unique=True)
    stripe_price_id: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    status: Mapped[SubscriptionStatus] = mapped_column(
        sa.Enum(SubscriptionStatus, name="shared_subscription_status", values_callable=_values),
        nullable=False,
        default=SubscriptionStatus.INCOMPLETE,
    )
    quantity: Mapped[int] = mapped_column(sa.Integer(), nullable=False, default=1)
    current_period_start: Mapped[datetime | None] = mapped_column(Timestamp)
    current_period_end: Mapped[datetime | None] = mapped_column(Timestamp)
    cancel_at_period_end: Mapped[bool] = mapped_column(sa.Boolean(), nullable=False, default=False)
    canceled_at: Mapped[datetime | None] = mapped_column(Timestamp)
    trial_end: Mapped[datetime | None] = mapped_column(Timestamp)

    customer: Mapped[StripeCustomer] = relationship(back_populates="subscriptions")
    payments: Mapped[list[Payment]] = relationship(back_populates="subscription")

    @property
    def is_active(self) -> bool:
        """True while the subscription grants access (active or trialing)."""
        return self.status in {SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING}

    def __repr__(self) -> str:
        return f"<Subscription {self.stripe_subscription_id} {self.status}>"


class Payment(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """One payment (a Stripe payment intent), possibly for a subscription invoice."""

    __tablename__ = "payments"
    __table_args__ = (
        sa.Index(None, "customer_id", "created_at"),
        sa.CheckConstraint("amount >= 0", name="amount_not_negative"),
    )

    customer_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(), sa.ForeignKey("stripe_customers.id", ondelete="CASCADE"), nullable=False
    )
    subscription_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid(), sa.ForeignKey("subscriptions.id", ondelete="SET NULL"), index=True
    )
    stripe_payment_intent_id: Mapped[str] = mapped_column(
        sa.String(255), nullable=False, unique=True
    )
    stripe_invoice_id: Mapped[str | None] = mapped_column(sa.String(255), index=True)
    amount: Mapped[int] = mapped_column(sa.Integer(), nullable=False)
    currency: Mapped[str] = mapped_column(sa.String(3), nullable=False)
    status: Mapped[PaymentStatus] = mapped_column(
        sa.Enum(PaymentStatus, name="shared_payment_status", values_callable=_values),
        nullable=False,
        default=PaymentStatus.PENDING,
    )
    description: Mapped[str | None] = mapped_column(sa.String(500))
    failure_reason: Mapped[str | None] = mapped_column(sa.String(500))
    paid_at: Mapped[datetime | None] = mapped_column(Timestamp)

    customer: Mapped[StripeCustomer] = relationship(back_populates="payments")
    subscription: Mapped[Subscription | None] = relationship(back_populates="payments")

    def __repr__(self) -> str:
        return f"<Payment {self.amount} {self.currency} {self.status}>"


class WebhookEvent(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """A Stripe webhook event as received; its Stripe id makes processing idempotent."""

    __tablename__ = "webhook_events"
    __table_args__ = (sa.Index(None, "status", "created_at"),)

    stripe_event_id: Mapped[str] = mapped_column(sa.String(255), nullable=False, unique=True)
    event_type: Mapped[str] = mapped_column(sa.String(100), nullable=False, index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False)
    status: Mapped[WebhookStatus] = mapped_column(
        sa.Enum(WebhookStatus, name="shared_webhook_status", values_callable=_values),
        nullable=False,
        default=WebhookStatus.RECEIVED,
    )
    attempts: Mapped[int] = mapped_column(sa.Integer(), nullable=False, default=0)
    error: Mapped[str | None] = mapped_column(sa.Text())
    processed_at: Mapped[datetime | None] = mapped_column(Timestamp)

    def __repr__(self) -> str:
        return f"<WebhookEvent {self.event_type} {self.stripe_event_id}>"
