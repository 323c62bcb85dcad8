"""The journal service's models: entries, their kinds, tags, prompts and attachments.

Importing this package registers every table of the service on
``Base.metadata``; the entry point ``journal = "journal_service.models:Base"``
relies on it.
"""

from alembic_config import NAMING_CONVENTION

from journal_service.models.attachment import JournalAttachment
from journal_service.models.base import Base
from journal_service.models.entry import EntryKind, JournalEntry, count_words, journal_entry_tags
from journal_service.models.prompt import JournalPrompt
from journal_service.models.tag import JournalTag

__all__ = [
    "NAMING_CONVENTION",
    "Base",
    "EntryKind",
    "JournalAttachment",
    "JournalEntry",
    "JournalPrompt",
    "JournalTag",
    "count_words",
    "journal_entry_tags",
]
