"""journal-service: the MindMirror journal (entries, kinds, tags, prompts, attachments).

The models live in :mod:`journal_service.models`. Importing this package imports nothing else.
"""
