"""Pictures of the schema and of the revision graph, as text or through Graphviz.

:func:`build_erd` works out what an ER diagram of a
:class:`~alembic_config.Catalog` shows; :func:`erd_mermaid` and :func:`erd_dot`
turn it into text; :func:`render` pipes DOT through Graphviz's ``dot`` for SVG
and PNG; :func:`deliver` sends the result to stdout or a file.

Why our own renderer rather than paracelsus or eralchemy, the two maintained
SQLAlchemy ER-diagram libraries: both draw one flat MetaData. Neither can group
tables by the service that owns them, colour a group, tell a foreign key that
crosses services from one that does not, or mark a conflicting table, which is
what this picture is for; paracelsus builds its DOT through pydot and exposes
its transformers only as internals behind a CLI that edits ``sys.path``, and
eralchemy renders through pygraphviz or the graphviz package and has no grouping
in its intermediary model. Adding what we need would mean post-editing their
output text. The model here is one pass over the merged metadata, and the two
renderers are short string builders, linear in tables plus keys (2,000 tables
render in well under a second; see docs/diagrams.md).

Nothing here imports SQLAlchemy, Alembic or Rich at import time.
"""

from __future__ import annotations

from mindmirror_cli.diagrams.deliver import FORMATS, TEXT_FORMATS, check_destination, deliver
from mindmirror_cli.diagrams.dot import erd_dot
from mindmirror_cli.diagrams.graphviz import IMAGE_FORMATS, GraphvizError, find_dot, render
from mindmirror_cli.diagrams.mermaid import erd_mermaid, limits_exceeded
from mindmirror_cli.diagrams.model import Column, Entity, Erd, Group, Link, build_erd

__all__ = [
    "FORMATS",
    "IMAGE_FORMATS",
    "TEXT_FORMATS",
    "Column",
    "Entity",
    "Erd",
    "GraphvizError",
    "Group",
    "Link",
    "build_erd",
    "check_destination",
    "deliver",
    "erd_dot",
    "erd_mermaid",
    "find_dot",
    "limits_exceeded",
    "render",
]
