"""The shared service's models: the 20 models every MindMirror service builds on.

Importing this package registers every table of the service on
``Base.metadata``; the entry point ``shared = "shared_service.models:Base"``
relies on it.
"""

from alembic_config import NAMING_CONVENTION

from shared_service.models.base import Base
from shared_service.models.core import Agent, ApiCall, Task, TaskStatus, User
from shared_service.models.email import (
    EmailCategory,
    EmailNotification,
    EmailPreference,
    EmailStatus,
    EmailTemplate,
)
from shared_service.models.files import (
    File,
    FileAccessLog,
    FileAction,
    FileShare,
    FileUploadSession,
    SharePermission,
    UploadStatus,
)
from shared_service.models.stripe import (
    Payment,
    PaymentStatus,
    StripeCustomer,
    Subscription,
    SubscriptionStatus,
    WebhookEvent,
    WebhookStatus,
)
from shared_service.models.teams import (
    InvitationStatus,
    Permission,
    Role,
    Team,
    TeamInvitation,
    TeamMembership,
)

__all__ = [
    "NAMING_CONVENTION",
    "Agent",
    "ApiCall",
    "Base",
    "EmailCategory",
    "EmailNotification",
    "EmailPreference",
    "EmailStatus",
    "EmailTemplate",
    "File",
    "FileAccessLog",
    "FileAction",
    "FileShare",
    "FileUploadSession",
    "InvitationStatus",
    "Payment",
    "PaymentStatus",
    "Permission",
    "Role",
    "SharePermission",
    "StripeCustomer",
    "Subscription",
    "SubscriptionStatus",
    "Task",
    "TaskStatus",
    "Team",
    "TeamInvitation",
    "TeamMembership",
    "UploadStatus",
    "User",
    "WebhookEvent",
    "WebhookStatus",
]
