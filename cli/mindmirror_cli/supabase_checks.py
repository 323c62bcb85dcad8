"""Checks for Supabase databases, applied by the ``supabase`` command group."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic_config import ResolvedUrl

    from mindmirror_cli.output import Output

TRANSACTION_POOLER_PORT = 6543
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", None, ""}


def adapt_for_supabase(resolved: ResolvedUrl, output: Output) -> ResolvedUrl:
    """Warn about the transaction pooler; require TLS for remote hosts."""
    from alembic_config import ResolvedUrl

    url = resolved.url
    if url.get_backend_name() != "postgresql":
        output.warn(f"Supabase runs PostgreSQL, but the URL is {url.get_backend_name()}")
        return resolved
    if url.port == TRANSACTION_POOLER_PORT:
        output.warn(
            "port 6543 is Supabase's transaction pooler: it breaks session state, advisory "
            "locks and prepared statements that migrations rely on; use the direct connection "
            "or the session pooler (port 5432) for migrations"
        )
    if url.host not in LOCAL_HOSTS and "sslmode" not in url.query:
        output.info("remote Supabase host: using sslmode=require")
        url = url.update_query_dict({"sslmode": "require"})
        return ResolvedUrl(url, resolved.source)
    return resolved
