"""The agent service's models.

Importing this package registers every table of the service on
``Base.metadata``; the entry point ``agent = "agent_service.models:Base"``
relies on it.
"""

from alembic_config import NAMING_CONVENTION

from agent_service.models.base import Base
from agent_service.models.conversation import Conversation, Message, MessageRole
from agent_service.models.conversation_memory import ConversationMemory
from agent_service.models.conversation_state import ConversationState, ExecutionStage
from agent_service.models.module import ExecutionContext, Module, ModuleType
from agent_service.models.persona import Persona, PersonaMode

__all__ = [
    "NAMING_CONVENTION",
    "Base",
    "Conversation",
    "ConversationMemory",
    "ConversationState",
    "ExecutionContext",
    "ExecutionStage",
    "Message",
    "MessageRole",
    "Module",
    "ModuleType",
    "Persona",
    "PersonaMode",
]
