"""Initial schema: every table of the shared, agent and journal services.

shared (accounts, agents, billing, email, teams, files)
    core      users, agents, tasks, api_calls
    Stripe    stripe_customers, subscriptions, payments, webhook_events
    email     email_templates, email_notifications, email_preferences
    teams     teams, roles, permissions, team_memberships, team_invitations
    files     files, file_shares, file_upload_sessions, file_access_logs
agent (personas, modules and conversations)
    personas, modules, conversations, messages, conversation_states,
    conversation_memories
journal (MindMirror's journal)
    journal_prompts, journal_entries, journal_tags, journal_entry_tags,
    journal_attachments

The shared service comes first: conversations, journal entries and journal tags
refer to users.id, journal attachments to files.id. Downgrade drops the tables in
the reverse order, then the enum types that PostgreSQL keeps apart from them.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-23 11:25:57.170912
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql, postgresql

# revision identifiers, used by Alembic.
revision: str = "0001_initial"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The column types the services share (their models' base.py).
TIMESTAMP = sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
CODE = sa.String(length=20).with_variant(
    mysql.VARCHAR(length=20, charset="utf8mb4", collation="utf8mb4_bin"), "mysql", "mariadb"
)

# Each table's owning service, recorded in the database as its owner when this revision is
# applied (alembic-config's ownership record): it outlives the service's package.
OWNED_BY_SHARED = {"alembic_config.owners": ["shared"]}
OWNED_BY_AGENT = {"alembic_config.owners": ["agent"]}
OWNED_BY_JOURNAL = {"alembic_config.owners": ["journal"]}

TABLES = (
    # shared
    "users",
    "agents",
    "tasks",
    "api_calls",
    "stripe_customers",
    "subscriptions",
    "payments",
    "webhook_events",
    "email_templates",
    "email_notifications",
    "email_preferences",
    "teams",
    "roles",
    "permissions",
    "team_memberships",
    "team_invitations",
    "files",
    "file_shares",
    "file_upload_sessions",
    "file_access_logs",
    # agent
    "personas",
    "modules",
    "conversations",
    "messages",
    "conversation_states",
    "conversation_memories",
    # journal
    "journal_prompts",
    "journal_entries",
    "journal_tags",
    "journal_entry_tags",
    "journal_attachments",
)

ENUM_TYPES = (
    "shared_task_status",
    "shared_subscription_status",
    "shared_payment_status",
    "shared_webhook_status",
    "shared_email_category",
    "shared_email_status",
    "shared_invitation_status",
    "shared_file_share_permission",
    "shared_upload_status",
    "shared_file_action",
    "agent_module_type",
    "agent_execution_context",
    "agent_message_role",
    "journal_entry_kind",
)


def upgrade() -> None:
    """Create every table, service by service, in dependency order."""
    _create_shared_core()
    _create_shared_stripe()
    _create_shared_email()
    _create_shared_teams()
    _create_shared_files()
    _create_agent()
    _create_journal()


def downgrade() -> None:
    """Drop every table (their indexes go with them), then PostgreSQL's enum types."""
    for table in reversed(TABLES):
        op.drop_table(table)
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for name in ENUM_TYPES:
            postgresql.ENUM(name=name).drop(bind, checkfirst=True)


def _create_shared_core() -> None:
    """The shared service's core tables."""
    op.create_table(
        "users",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("hashed_password", sa.String(length=255), nullable=True),
        sa.Column("full_name", sa.String(length=255), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("is_verified", sa.Boolean(), nullable=False),
        sa.Column("is_superuser", sa.Boolean(), nullable=False),
        sa.Column("last_login_at", TIMESTAMP, nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
        info=OWNED_BY_SHARED,
    )
    op.create_table(
        "agents",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("model", sa.String(length=100), nullable=False),
        sa.Column("system_prompt", sa.Text(), nullable=True),
        sa.Column("config", JSON, nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_agents_owner_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agents")),
        sa.UniqueConstraint("owner_id", "name", name=op.f("uq_agents_owner_id_name")),
        info=OWNED_BY_SHARED,
    )
    op.create_table(
        "tasks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("agent_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending", "running", "succeeded", "failed", "cancelled", name="shared_task_status"
            ),
            nullable=False,
        ),
        sa.Column("input", JSON, nullable=False),
        sa.Column("output", JSON, nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("worker_task_id", sa.String(length=255), nullable=True),
        sa.Column("started_at", TIMESTAMP, nullable=True),
        sa.Column("finished_at", TIMESTAMP, nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agents.id"], name=op.f("fk_tasks_agent_id_agents"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_tasks_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tasks")),
        sa.UniqueConstraint("worker_task_id", name=op.f("uq_tasks_worker_task_id")),
        info=OWNED_BY_SHARED,
    )
    op.create_index(op.f("ix_tasks_agent_id_created_at"), "tasks", ["agent_id", "created_at"])
    op.create_index(op.f("ix_tasks_user_id_status"), "tasks", ["user_id", "status"])
    op.create_table(
        "api_calls",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("endpoint", sa.String(length=255), nullable=False),
        sa.Column("status_code", sa.SmallInteger(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("tokens_used", sa.Integer(), nullable=True),
        sa.Column("ip_address", sa.String(length=45), nullable=True),
        sa.Column("user_agent", sa.String(length=500), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_calls_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_calls")),
        info=OWNED_BY_SHARED,
    )
    op.create_index(op.f("ix_api_calls_created_at"), "api_calls", ["created_at"])
    op.create_index(op.f("ix_api_calls_user_id_created_at"), "api_calls", ["user_id", "created_at"])


def _create_shared_stripe() -> None:
    """The shared service's billing tables (Stripe)."""
    op.create_table(
        "stripe_customers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("stripe_customer_id", sa.String(length=255), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("default_payment_method_id", sa.String(length=255), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_stripe_customers_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stripe_customers")),
        sa.UniqueConstraint(
            "stripe_customer_id", name=op.f("uq_stripe_customers_stripe_customer_id")
        ),
        sa.UniqueConstraint("user_id", name=op.f("uq_stripe_customers_user_id")),
        info=OWNED_BY_SHARED,
    )
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("stripe_subscription_id", sa.String(length=255), nullable=False),
        sa.Column("stripe_price_id", sa.String(length=255), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "incomplete",
                "incomplete_expired",
                "trialing",
                "active",
                "past_due",
                "canceled",
                "unpaid",
                "paused",
                name="shared_subscription_status",
            ),
            nullable=False,
        ),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("current_period_start", TIMESTAMP, nullable=True),
        sa.Column("current_period_end", TIMESTAMP, nullable=True),
        sa.Column("cancel_at_period_end", sa.Boolean(), nullable=False),
        sa.Column("canceled_at", TIMESTAMP, nullable=True),
        sa.Column("trial_end", TIMESTAMP, nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint("quantity >= 1", name=op.f("ck_subscriptions_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["stripe_customers.id"],
            name=op.f("fk_subscriptions_customer_id_stripe_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscriptions")),
        sa.UniqueConstraint(
            "stripe_subscription_id", name=op.f("uq_subscriptions_stripe_subscription_id")
        ),
        info=OWNED_BY_SHARED,
    )
    op.create_index(
        op.f("ix_subscriptions_customer_id_status"), "subscriptions", ["customer_id", "status"]
    )
    op.create_table(
        "payments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("subscription_id", sa.Uuid(), nullable=True),
        sa.Column("stripe_payment_intent_id", sa.String(length=255), nullable=False),
        sa.Column("stripe_invoice_id", sa.String(length=255), nullable=True),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column(
            "status",
            sa.Enum("pending", "succeeded", "failed", "refunded", name="shared_payment_status"),
            nullable=False,
        ),
        sa.Column("description", sa.String(length=500), nullable=True),
        sa.Column("failure_reason", sa.String(length=500), nullable=True),
        sa.Column("paid_at", TIMESTAMP, nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_payments_amount_not_negative")),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["stripe_customers.id"],
            name=op.f("fk_payments_customer_id_stripe_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscriptions.id"],
            name=op.f("fk_payments_subscription_id_subscriptions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint(
            "stripe_payment_intent_id", name=op.f("uq_payments_stripe_payment_intent_id")
        ),
        info=OWNED_BY_SHARED,
    )
    op.create_index(
        op.f("ix_payments_customer_id_created_at"), "payments", ["customer_id", "created_at"]
    )
    op.create_index(op.f("ix_payments_stripe_invoice_id"), "payments", ["stripe_invoice_id"])
    op.create_index(op.f("ix_payments_subscription_id"), "payments", ["subscription_id"])
    op.create_table(
        "webhook_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("stripe_event_id", sa.String(length=255), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("payload", JSON, nullable=False),
        sa.Column(
            "status",
            sa.Enum("received", "processed", "failed", "ignored", name="shared_webhook_status"),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("processed_at", TIMESTAMP, nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_events")),
        sa.UniqueConstraint("stripe_event_id", name=op.f("uq_webhook_events_stripe_event_id")),
        info=OWNED_BY_SHARED,
    )
    op.create_index(op.f("ix_webhook_events_event_type"), "webhook_events", ["event_type"])
    op.create_index(
        op.f("ix_webhook_events_status_created_at"), "webhook_events", ["status", "created_at"]
    )


def _create_shared_email() -> None:
    """The shared service's email tables."""
    op.create_table(
        "email_templates",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                "transactional",
                "product_updates",
                "marketing",
                "digest",
                name="shared_email_category",
            ),
            nullable=False,
        ),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("html_body", sa.Text(), nullable=False),
        sa.Column("text_body", sa.Text(), nullable=True),
        sa.Column("description", sa.String(length=500), nullable=True),
        sa.Column("variables", JSON, nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_templates")),
        sa.UniqueConstraint("key", name=op.f("uq_email_templates_key")),
        info=OWNED_BY_SHARED,
    )
    op.create_table(
        "email_notifications",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("template_id", sa.Uuid(), nullable=True),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column(
            "status",
            sa.Enum("queued", "sent", "delivered", "bounced", "failed", name="shared_email_status"),
            nullable=False,
        ),
        sa.Column("provider_message_id", sa.String(length=255), nullable=True),
        sa.Column("context", JSON, nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("sent_at", TIMESTAMP, nullable=True),
        sa.Column("opened_at", TIMESTAMP, nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["email_templates.id"],
            name=op.f("fk_email_notifications_template_id_email_templates"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_email_notifications_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_notifications")),
        sa.UniqueConstraint(
            "provider_message_id", name=op.f("uq_email_notifications_provider_message_id")
        ),
        info=OWNED_BY_SHARED,
    )
    op.create_index(
        op.f("ix_email_notifications_template_id"), "email_notifications", ["template_id"]
    )
    op.create_index(
        op.f("ix_email_notifications_user_id_created_at"),
        "email_notifications",
        ["user_id", "created_at"],
    )
    op.create_table(
        "email_preferences",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("product_updates", sa.Boolean(), nullable=False),
        sa.Column("marketing", sa.Boolean(), nullable=False),
        sa.Column("digest", sa.Boolean(), nullable=False),
        sa.Column("unsubscribe_token", sa.String(length=64), nullable=False),
        sa.Column("unsubscribed_all_at", TIMESTAMP, nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_email_preferences_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_preferences")),
        sa.UniqueConstraint(
            "unsubscribe_token", name=op.f("uq_email_preferences_unsubscribe_token")
        ),
        sa.UniqueConstraint("user_id", name=op.f("uq_email_preferences_user_id")),
        info=OWNED_BY_SHARED,
    )


def _create_shared_teams() -> None:
    """The shared service's team tables."""
    op.create_table(
        "teams",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column("max_members", sa.Integer(), nullable=True),
        sa.Column("settings", JSON, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_teams_owner_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teams")),
        sa.UniqueConstraint("slug", name=op.f("uq_teams_slug")),
        info=OWNED_BY_SHARED,
    )
    op.create_index(op.f("ix_teams_owner_id"), "teams", ["owner_id"])
    op.create_table(
        "roles",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("team_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("description", sa.String(length=255), nullable=True),
        sa.Column("is_system", sa.Boolean(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_roles_team_id_teams"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roles")),
        sa.UniqueConstraint("team_id", "name", name=op.f("uq_roles_team_id_name")),
        info=OWNED_BY_SHARED,
    )
    op.create_table(
        "permissions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("role_id", sa.Uuid(), nullable=False),
        sa.Column("resource", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=50), nullable=False),
        sa.Column("description", sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(
            ["role_id"], ["roles.id"], name=op.f("fk_permissions_role_id_roles"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permissions")),
        sa.UniqueConstraint(
            "role_id", "resource", "action", name=op.f("uq_permissions_role_id_resource_action")
        ),
        info=OWNED_BY_SHARED,
    )
    op.create_table(
        "team_memberships",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("team_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("role_id", sa.Uuid(), nullable=True),
        sa.Column("invited_by_id", sa.Uuid(), nullable=True),
        sa.Column("joined_at", TIMESTAMP, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["invited_by_id"],
            ["users.id"],
            name=op.f("fk_team_memberships_invited_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["role_id"],
            ["roles.id"],
            name=op.f("fk_team_memberships_role_id_roles"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_team_memberships_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_team_memberships_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_memberships")),
        sa.UniqueConstraint("team_id", "user_id", name=op.f("uq_team_memberships_team_id_user_id")),
        info=OWNED_BY_SHARED,
    )
    op.create_index(
        op.f("ix_team_memberships_invited_by_id"), "team_memberships", ["invited_by_id"]
    )
    op.create_index(op.f("ix_team_memberships_role_id"), "team_memberships", ["role_id"])
    op.create_index(op.f("ix_team_memberships_user_id"), "team_memberships", ["user_id"])
    op.create_table(
        "team_invitations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("team_id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("role_id", sa.Uuid(), nullable=True),
        sa.Column("invited_by_id", sa.Uuid(), nullable=True),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "accepted",
                "declined",
                "revoked",
                "expired",
                name="shared_invitation_status",
            ),
            nullable=False,
        ),
        sa.Column("expires_at", TIMESTAMP, nullable=False),
        sa.Column("responded_at", TIMESTAMP, nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["invited_by_id"],
            ["users.id"],
            name=op.f("fk_team_invitations_invited_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["role_id"],
            ["roles.id"],
            name=op.f("fk_team_invitations_role_id_roles"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_team_invitations_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_invitations")),
        sa.UniqueConstraint("token", name=op.f("uq_team_invitations_token")),
        info=OWNED_BY_SHARED,
    )
    op.create_index(
        op.f("ix_team_invitations_invited_by_id"), "team_invitations", ["invited_by_id"]
    )
    op.create_index(op.f("ix_team_invitations_role_id"), "team_invitations", ["role_id"])
    op.create_index(
        op.f("ix_team_invitations_team_id_email"), "team_invitations", ["team_id", "email"]
    )


def _create_shared_files() -> None:
    """The shared service's file tables."""
    op.create_table(
        "files",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("team_id", sa.Uuid(), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=255), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("storage_backend", sa.String(length=50), nullable=False),
        sa.Column("storage_key", sa.String(length=512), nullable=False),
        sa.Column("checksum_sha256", sa.String(length=64), nullable=True),
        sa.Column("is_public", sa.Boolean(), nullable=False),
        sa.Column("extra_data", JSON, nullable=False),
        sa.Column("deleted_at", TIMESTAMP, nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint("size_bytes >= 0", name=op.f("ck_files_size_not_negative")),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_files_owner_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_files_team_id_teams"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_files")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_files_storage_key")),
        info=OWNED_BY_SHARED,
    )
    op.create_index(op.f("ix_files_owner_id_created_at"), "files", ["owner_id", "created_at"])
    op.create_index(op.f("ix_files_team_id"), "files", ["team_id"])
    op.create_table(
        "file_shares",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("file_id", sa.Uuid(), nullable=False),
        sa.Column("shared_with_id", sa.Uuid(), nullable=True),
        sa.Column("shared_by_id", sa.Uuid(), nullable=True),
        sa.Column("link_token", sa.String(length=64), nullable=True),
        sa.Column(
            "permission",
            sa.Enum("view", "edit", name="shared_file_share_permission"),
            nullable=False,
        ),
        sa.Column("expires_at", TIMESTAMP, nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint(
            "shared_with_id IS NOT NULL OR link_token IS NOT NULL",
            name=op.f("ck_file_shares_has_recipient"),
        ),
        sa.ForeignKeyConstraint(
            ["file_id"], ["files.id"], name=op.f("fk_file_shares_file_id_files"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["shared_by_id"],
            ["users.id"],
            name=op.f("fk_file_shares_shared_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["shared_with_id"],
            ["users.id"],
            name=op.f("fk_file_shares_shared_with_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_file_shares")),
        sa.UniqueConstraint(
            "file_id", "shared_with_id", name=op.f("uq_file_shares_file_id_shared_with_id")
        ),
        sa.UniqueConstraint("link_token", name=op.f("uq_file_shares_link_token")),
        info=OWNED_BY_SHARED,
    )
    op.create_index(op.f("ix_file_shares_shared_by_id"), "file_shares", ["shared_by_id"])
    op.create_index(op.f("ix_file_shares_shared_with_id"), "file_shares", ["shared_with_id"])
    op.create_table(
        "file_upload_sessions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("file_id", sa.Uuid(), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=255), nullable=False),
        sa.Column("total_size", sa.BigInteger(), nullable=False),
        sa.Column("chunk_size", sa.Integer(), nullable=False),
        sa.Column("uploaded_bytes", sa.BigInteger(), nullable=False),
        sa.Column("storage_upload_id", sa.String(length=255), nullable=True),
        sa.Column(
            "status",
            sa.Enum("in_progress", "completed", "aborted", "expired", name="shared_upload_status"),
            nullable=False,
        ),
        sa.Column("expires_at", TIMESTAMP, nullable=False),
        sa.Column("completed_at", TIMESTAMP, nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint(
            "chunk_size > 0", name=op.f("ck_file_upload_sessions_chunk_size_positive")
        ),
        sa.CheckConstraint(
            "uploaded_bytes >= 0 AND uploaded_bytes <= total_size",
            name=op.f("ck_file_upload_sessions_progress_in_range"),
        ),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["files.id"],
            name=op.f("fk_file_upload_sessions_file_id_files"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_file_upload_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_file_upload_sessions")),
        info=OWNED_BY_SHARED,
    )
    op.create_index(op.f("ix_file_upload_sessions_file_id"), "file_upload_sessions", ["file_id"])
    op.create_index(
        op.f("ix_file_upload_sessions_user_id_status"),
        "file_upload_sessions",
        ["user_id", "status"],
    )
    op.create_table(
        "file_access_logs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("file_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column(
            "action",
            sa.Enum("view", "download", "update", "share", "delete", name="shared_file_action"),
            nullable=False,
        ),
        sa.Column("ip_address", sa.String(length=45), nullable=True),
        sa.Column("user_agent", sa.String(length=500), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["files.id"],
            name=op.f("fk_file_access_logs_file_id_files"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_file_access_logs_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_file_access_logs")),
        info=OWNED_BY_SHARED,
    )
    op.create_index(
        op.f("ix_file_access_logs_file_id_created_at"),
        "file_access_logs",
        ["file_id", "created_at"],
    )
    op.create_index(op.f("ix_file_access_logs_user_id"), "file_access_logs", ["user_id"])


def _create_agent() -> None:
    """The agent service's tables."""
    op.create_table(
        "personas",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("template", sa.Text(), nullable=False),
        sa.Column("mode", CODE, nullable=False),
        sa.Column("loop_frequency", sa.String(length=10), nullable=True),
        sa.Column("first_message", sa.Text(), nullable=True),
        sa.Column("image_path", sa.String(length=500), nullable=True),
        sa.Column("extra_data", JSON, nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint(
            "mode IN ('reactive', 'autonomous')", name=op.f("ck_personas_mode_valid")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_personas")),
        info=OWNED_BY_AGENT,
    )
    op.create_index(
        op.f("ix_personas_is_active_created_at"), "personas", ["is_active", "created_at"]
    )
    op.create_table(
        "modules",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("content", sa.Text(), nullable=True),
        sa.Column("type", sa.Enum("simple", "advanced", name="agent_module_type"), nullable=False),
        sa.Column("trigger_pattern", sa.String(length=500), nullable=True),
        sa.Column("script", sa.Text(), nullable=True),
        sa.Column(
            "execution_context",
            sa.Enum("IMMEDIATE", "POST_RESPONSE", "ON_DEMAND", name="agent_execution_context"),
            nullable=False,
        ),
        sa.Column("requires_ai_inference", sa.Boolean(), nullable=False),
        sa.Column("script_analysis_metadata", JSON, nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_modules")),
        sa.UniqueConstraint("name", name=op.f("uq_modules_name")),
        info=OWNED_BY_AGENT,
    )
    op.create_index(
        op.f("ix_modules_is_active_execution_context"),
        "modules",
        ["is_active", "execution_context"],
    )
    op.create_table(
        "conversations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("persona_id", sa.Uuid(), nullable=True),
        sa.Column("provider_type", sa.String(length=50), nullable=True),
        sa.Column("provider_config", JSON, nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["persona_id"],
            ["personas.id"],
            name=op.f("fk_conversations_persona_id_personas"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_conversations_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversations")),
        info=OWNED_BY_AGENT,
    )
    op.create_index(op.f("ix_conversations_persona_id"), "conversations", ["persona_id"])
    op.create_index(
        op.f("ix_conversations_user_id_updated_at"), "conversations", ["user_id", "updated_at"]
    )
    op.create_table(
        "messages",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("conversation_id", sa.Uuid(), nullable=False),
        sa.Column(
            "role",
            sa.Enum("user", "assistant", "system", name="agent_message_role"),
            nullable=False,
        ),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("thinking", sa.Text(), nullable=True),
        sa.Column("extra_data", JSON, nullable=True),
        sa.Column("input_tokens", sa.Integer(), nullable=True),
        sa.Column("output_tokens", sa.Integer(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_messages_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
        info=OWNED_BY_AGENT,
    )
    op.create_index(
        op.f("ix_messages_conversation_id_created_at"),
        "messages",
        ["conversation_id", "created_at"],
    )
    op.create_table(
        "conversation_states",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("conversation_id", sa.Uuid(), nullable=False),
        sa.Column("module_id", sa.Uuid(), nullable=False),
        sa.Column("execution_stage", CODE, nullable=False),
        sa.Column("variables", JSON, nullable=False),
        sa.Column("execution_metadata", JSON, nullable=True),
        sa.Column("executed_at", TIMESTAMP, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint(
            "execution_stage IN ('stage4', 'stage5')",
            name=op.f("ck_conversation_states_execution_stage_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["module_id"],
            ["modules.id"],
            name=op.f("fk_conversation_states_module_id_modules"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_states")),
        sa.UniqueConstraint(
            "conversation_id",
            "module_id",
            "execution_stage",
            name="uq_conversation_states_conversation_module_stage",
        ),
        info=OWNED_BY_AGENT,
    )
    op.create_index(op.f("ix_conversation_states_module_id"), "conversation_states", ["module_id"])
    op.create_table(
        "conversation_memories",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("conversation_id", sa.Uuid(), nullable=False),
        sa.Column("memory_sequence", sa.Integer(), nullable=False),
        sa.Column("compressed_content", sa.Text(), nullable=False),
        sa.Column("original_message_range", sa.String(length=20), nullable=True),
        sa.Column("message_count_at_compression", sa.Integer(), nullable=True),
        sa.Column("first_message_id", sa.String(length=100), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint(
            "memory_sequence >= 1", name=op.f("ck_conversation_memories_memory_sequence_positive")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_memories")),
        sa.UniqueConstraint(
            "conversation_id",
            "memory_sequence",
            name=op.f("uq_conversation_memories_conversation_id_memory_sequence"),
        ),
        info=OWNED_BY_AGENT,
    )


def _create_journal() -> None:
    """The journal service's tables."""
    op.create_table(
        "journal_prompts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("category", sa.String(length=50), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journal_prompts")),
        sa.UniqueConstraint("text", name=op.f("uq_journal_prompts_text")),
        info=OWNED_BY_JOURNAL,
    )
    op.create_index(
        op.f("ix_journal_prompts_is_active_category"), "journal_prompts", ["is_active", "category"]
    )
    op.create_table(
        "journal_entries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "freeform", "gratitude", "reflection", "dream", "goal", name="journal_entry_kind"
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=255), nullable=True),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("entry_date", sa.Date(), nullable=False),
        sa.Column("mood_score", sa.SmallInteger(), nullable=True),
        sa.Column("prompt_id", sa.Uuid(), nullable=True),
        sa.Column("word_count", sa.Integer(), nullable=False),
        sa.Column("is_private", sa.Boolean(), nullable=False),
        sa.Column("is_pinned", sa.Boolean(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint(
            "mood_score IS NULL OR (mood_score >= 1 AND mood_score <= 5)",
            name=op.f("ck_journal_entries_mood_score_range"),
        ),
        sa.ForeignKeyConstraint(
            ["prompt_id"],
            ["journal_prompts.id"],
            name=op.f("fk_journal_entries_prompt_id_journal_prompts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_journal_entries_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journal_entries")),
        info=OWNED_BY_JOURNAL,
    )
    op.create_index(op.f("ix_journal_entries_prompt_id"), "journal_entries", ["prompt_id"])
    op.create_index(
        op.f("ix_journal_entries_user_id_entry_date"), "journal_entries", ["user_id", "entry_date"]
    )
    op.create_table(
        "journal_tags",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("color", sa.String(length=7), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_journal_tags_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journal_tags")),
        sa.UniqueConstraint("user_id", "name", name=op.f("uq_journal_tags_user_id_name")),
        info=OWNED_BY_JOURNAL,
    )
    op.create_table(
        "journal_entry_tags",
        sa.Column("entry_id", sa.Uuid(), nullable=False),
        sa.Column("tag_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["journal_entries.id"],
            name=op.f("fk_journal_entry_tags_entry_id_journal_entries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"],
            ["journal_tags.id"],
            name=op.f("fk_journal_entry_tags_tag_id_journal_tags"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("entry_id", "tag_id", name=op.f("pk_journal_entry_tags")),
        info=OWNED_BY_JOURNAL,
    )
    op.create_index(op.f("ix_journal_entry_tags_tag_id"), "journal_entry_tags", ["tag_id"])
    op.create_table(
        "journal_attachments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("entry_id", sa.Uuid(), nullable=False),
        sa.Column("file_id", sa.Uuid(), nullable=False),
        sa.Column("caption", sa.String(length=500), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["journal_entries.id"],
            name=op.f("fk_journal_attachments_entry_id_journal_entries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["files.id"],
            name=op.f("fk_journal_attachments_file_id_files"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journal_attachments")),
        sa.UniqueConstraint(
            "entry_id", "file_id", name=op.f("uq_journal_attachments_entry_id_file_id")
        ),
        info=OWNED_BY_JOURNAL,
    )
    op.create_index(op.f("ix_journal_attachments_file_id"), "journal_attachments", ["file_id"])
