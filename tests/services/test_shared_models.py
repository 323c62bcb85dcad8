"""The shared models' constraints and relationships, on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from shared_service.models import (
    Agent,
    ApiCall,
    EmailCategory,
    EmailNotification,
    EmailPreference,
    EmailTemplate,
    File,
    FileAccessLog,
    FileAction,
    FileShare,
    FileUploadSession,
    InvitationStatus,
    Payment,
    PaymentStatus,
    Permission,
    Role,
    StripeCustomer,
    Subscription,
    SubscriptionStatus,
    Task,
    TaskStatus,
    Team,
    TeamInvitation,
    TeamMembership,
    User,
    WebhookEvent,
)
from sqlalchemy.orm import Session

from tests.services.constraints import rejected_by_database


def _count(session: Session, model: type[Any]) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def _team(session: Session, owner: User) -> tuple[Team, Role]:
    team = Team(name="Acme", slug="acme", owner_id=owner.id)
    role = Role(team=team, name="editor")
    role.permissions = [
        Permission(resource="files", action="read"),
        Permission(resource="files", action="write"),
    ]
    session.add(team)
    session.flush()
    return team, role


def test_user_email_is_unique(session: Session, user: User) -> None:
    session.add(User(email=user.email))
    with rejected_by_database():
        session.flush()


def test_user_defaults(session: Session, user: User) -> None:
    session.expire_all()
    assert (user.is_active, user.is_verified, user.is_superuser) == (True, False, False)
    assert user.created_at is not None
    assert user.updated_at is not None


def test_agent_names_are_unique_per_owner(session: Session, user: User) -> None:
    other = User(email="grace@example.com")
    session.add_all(
        [
            Agent(owner=user, name="Scribe", model="gpt-4o-mini"),
            Agent(owner=other, name="Scribe", model="gpt-4o-mini"),
        ]
    )
    session.commit()
    session.add(Agent(owner=user, name="Scribe", model="llama3"))
    with rejected_by_database():
        session.flush()


def test_tasks_follow_their_agent(session: Session, user: User) -> None:
    agent = Agent(owner=user, name="Scribe", model="gpt-4o-mini", config={"temperature": 0.2})
    agent.tasks = [Task(user=user, input={"prompt": "hi"}), Task(user=user)]
    session.add(agent)
    session.commit()
    session.expire_all()

    task = session.scalars(sa.select(Task).order_by(Task.created_at)).first()
    assert task is not None
    assert task.status is TaskStatus.PENDING
    assert task.is_finished is False
    assert task.agent.config == {"temperature": 0.2}

    session.delete(agent)
    session.commit()
    assert _count(session, Task) == 0


def test_api_calls_outlive_their_user(session: Session, user: User) -> None:
    session.add(
        ApiCall(user_id=user.id, method="GET", endpoint="/v1/me", status_code=200, duration_ms=12)
    )
    session.commit()
    session.execute(sa.delete(User.__table__))
    session.commit()
    call = session.scalars(sa.select(ApiCall)).one()
    assert call.user_id is None
    assert call.endpoint == "/v1/me"


def test_subscription_belongs_to_a_customer(session: Session, user: User) -> None:
    customer = StripeCustomer(user=user, stripe_customer_id="cus_123", email=user.email)
    subscription = Subscription(
        customer=customer,
        stripe_subscription_id="sub_123",
        stripe_price_id="price_pro",
        status=SubscriptionStatus.ACTIVE,
    )
    session.add(
        Payment(
            customer=customer,
            subscription=subscription,
            stripe_payment_intent_id="pi_1",
            amount=1900,
            currency="eur",
            status=PaymentStatus.SUCCEEDED,
        )
    )
    session.commit()
    session.expire_all()

    user = session.get_one(User, user.id)
    assert user.stripe_customer is not None
    assert [s.stripe_subscription_id for s in user.stripe_customer.subscriptions] == ["sub_123"]
    stored = user.stripe_customer.subscriptions[0]
    assert stored.is_active is True
    assert stored.quantity == 1
    assert [p.amount for p in stored.payments] == [1900]

    session.delete(user)
    session.commit()
    assert (_count(session, StripeCustomer), _count(session, Subscription)) == (0, 0)
    assert _count(session, Payment) == 0


def test_subscription_needs_an_existing_customer(session: Session) -> None:
    session.add(
        Subscription(
            customer_id=uuid.uuid4(),
            stripe_subscription_id="sub_x",
            stripe_price_id="price_x",
        )
    )
    with rejected_by_database():
        session.flush()


def test_one_stripe_customer_per_user(session: Session, user: User) -> None:
    session.add(StripeCustomer(user_id=user.id, stripe_customer_id="cus_1"))
    session.commit()
    session.add(StripeCustomer(user_id=user.id, stripe_customer_id="cus_2"))
    with rejected_by_database():
        session.flush()


def test_payment_amount_cannot_be_negative(session: Session, user: User) -> None:
    customer = StripeCustomer(user=user, stripe_customer_id="cus_1")
    session.add(
        Payment(customer=customer, stripe_payment_intent_id="pi", amount=-1, currency="eur")
    )
    with rejected_by_database():
        session.flush()


def test_webhook_events_are_recorded_once(session: Session) -> None:
    payload = {"id": "evt_1", "type": "invoice.paid", "data": {"object": {"amount_paid": 1900}}}
    session.add(WebhookEvent(stripe_event_id="evt_1", event_type="invoice.paid", payload=payload))
    session.commit()
    session.expire_all()
    assert session.scalars(sa.select(WebhookEvent.payload)).one() == payload
    session.add(WebhookEvent(stripe_event_id="evt_1", event_type="invoice.paid", payload={}))
    with rejected_by_database():
        session.flush()


def test_team_membership_is_unique(session: Session, user: User) -> None:
    team, role = _team(session, user)
    session.add(TeamMembership(team=team, user_id=user.id, role=role))
    session.commit()
    session.add(TeamMembership(team_id=team.id, user_id=user.id, role_id=role.id))
    with rejected_by_database():
        session.flush()


def test_permissions_are_unique_per_role(session: Session, user: User) -> None:
    _team_row, role = _team(session, user)
    session.commit()
    assert role.allows("files", "write") is True
    assert role.allows("billing", "write") is False
    session.add(Permission(role_id=role.id, resource="files", action="read"))
    with rejected_by_database():
        session.flush()


def test_deleting_a_role_keeps_its_members(session: Session, user: User) -> None:
    team, role = _team(session, user)
    session.add(TeamMembership(team=team, user_id=user.id, role=role))
    session.commit()

    session.execute(sa.delete(Role.__table__))
    session.commit()
    session.expire_all()

    membership = session.scalars(sa.select(TeamMembership)).one()
    assert membership.role_id is None
    assert _count(session, Permission) == 0


@pytest.mark.parametrize("how", ["orm", "sql"])
def test_deleting_a_team_deletes_roles_memberships_and_invitations(
    session: Session, user: User, how: str
) -> None:
    team, role = _team(session, user)
    session.add_all(
        [
            TeamMembership(team=team, user_id=user.id, role=role, invited_by_id=user.id),
            TeamInvitation(
                team=team,
                email="new@example.com",
                role=role,
                expires_at=datetime.now(UTC) + timedelta(days=7),
            ),
        ]
    )
    session.commit()

    if how == "orm":
        session.delete(team)
    else:
        session.execute(sa.delete(Team.__table__))
    session.commit()

    counts = [_count(session, m) for m in (Role, Permission, TeamMembership, TeamInvitation)]
    assert counts == [0, 0, 0, 0]
    assert _count(session, User) == 1


def test_invitation_tokens_and_expiry(session: Session, user: User) -> None:
    team, role = _team(session, user)
    now = datetime.now(UTC)
    invitation = TeamInvitation(
        team=team, email="new@example.com", role=role, expires_at=now + timedelta(days=7)
    )
    session.add(invitation)
    session.commit()
    session.expire_all()

    assert invitation.status is InvitationStatus.PENDING
    assert len(invitation.token) >= 32
    assert invitation.is_open(now) is True
    assert invitation.is_open(now + timedelta(days=8)) is False
    invitation.status = InvitationStatus.REVOKED
    assert invitation.is_open(now) is False


def test_email_preferences(session: Session, user: User) -> None:
    preference = EmailPreference(user=user)
    session.add(preference)
    session.commit()
    session.expire_all()

    assert preference.allows(EmailCategory.PRODUCT_UPDATES) is True
    assert preference.allows(EmailCategory.MARKETING) is False
    preference.unsubscribed_all_at = datetime.now(UTC)
    assert preference.allows(EmailCategory.DIGEST) is False
    assert preference.allows(EmailCategory.TRANSACTIONAL) is True

    session.add(EmailPreference(user_id=user.id))
    with rejected_by_database():
        session.flush()


def test_email_log_outlives_its_template(session: Session, user: User) -> None:
    template = EmailTemplate(
        key="welcome", subject="Welcome", html_body="<p>Hi {{ name }}</p>", variables=["name"]
    )
    session.add(
        EmailNotification(
            user_id=user.id,
            template=template,
            recipient=user.email,
            subject="Welcome",
            context={"name": "Ada"},
        )
    )
    session.commit()
    session.execute(sa.delete(EmailTemplate.__table__))
    session.commit()
    session.expire_all()

    notification = session.scalars(sa.select(EmailNotification)).one()
    assert notification.template_id is None
    assert notification.context == {"name": "Ada"}


def _file(owner: User, key: str = "u/1/report.pdf") -> File:
    return File(
        owner=owner,
        filename="report.pdf",
        content_type="application/pdf",
        size_bytes=5 * 1024**3,
        storage_key=key,
    )


def test_files_shares_and_access_logs(session: Session, user: User) -> None:
    reader = User(email="reader@example.com")
    stored = _file(user)
    session.add_all([reader, stored])
    session.flush()
    session.add_all(
        [
            FileShare(file_id=stored.id, shared_with_id=reader.id, shared_by_id=user.id),
            FileShare(file_id=stored.id, link_token="public-link"),
            FileAccessLog(file_id=stored.id, user_id=reader.id, action=FileAction.DOWNLOAD),
        ]
    )
    session.commit()
    session.expire_all()

    assert stored.size_bytes == 5 * 1024**3
    assert len(stored.shares) == 2
    assert [log.action for log in stored.access_logs] == [FileAction.DOWNLOAD]

    stored.soft_delete()
    session.commit()
    assert stored.is_deleted is True

    session.delete(stored)
    session.commit()
    assert (_count(session, FileShare), _count(session, FileAccessLog)) == (0, 0)


def test_a_share_needs_a_recipient(session: Session, user: User) -> None:
    stored = _file(user)
    session.add(stored)
    session.flush()
    session.add(FileShare(file_id=stored.id))
    with rejected_by_database():
        session.flush()


def test_storage_keys_are_unique(session: Session, user: User) -> None:
    session.add_all([_file(user), _file(user)])
    with rejected_by_database():
        session.flush()


def test_upload_session_progress(session: Session, user: User) -> None:
    upload = FileUploadSession(
        user_id=user.id,
        filename="video.mp4",
        content_type="video/mp4",
        total_size=10 * 1024**2 + 1,
        chunk_size=1024**2,
        expires_at=datetime.now(UTC) + timedelta(hours=1),
    )
    session.add(upload)
    session.commit()
    assert upload.total_chunks == 11
    assert upload.progress == 0.0

    upload.uploaded_bytes = upload.total_size + 1
    with rejected_by_database():
        session.flush()
