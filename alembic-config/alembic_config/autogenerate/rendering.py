"""Rendering what stock autogenerate renders wrongly or not at all.

- A type from outside SQLAlchemy (a TypeDecorator of a third-party package) is
  rendered with an ``import`` of its module and the constructor arguments its
  ``__init__`` really takes, read back from the instance; when one cannot be
  read back, a TypeDecorator is rendered as the SQLAlchemy type it stores.
- A column backed by an explicit ``Sequence`` keeps it (else PostgreSQL makes the
  column SERIAL with a sequence of its own, MariaDB AUTO_INCREMENT).
- The operations of :mod:`~alembic_config.autogenerate.ops`.
"""

from __future__ import annotations

import inspect
from typing import Any, Literal, cast

from alembic.autogenerate import render_op_text, renderers
from alembic.autogenerate.api import AutogenContext
from alembic.operations import ops as alembic_ops
from sqlalchemy import Column, Sequence, types as sqltypes
from sqlalchemy.dialects import postgresql

from alembic_config.autogenerate.ops import (
    AddEnumValueOp,
    CreateEnumOp,
    CreateSequenceOp,
    DropEnumOp,
    DropSequenceOp,
    SequenceSpec,
)

# the Sequence options a revision repeats when the model sets them
SEQUENCE_OPTIONS = ("start", "increment", "minvalue", "maxvalue", "cycle", "cache")
_LITERALS = (str, int, float, bool, type(None))
_PROBE_TABLE = "t"


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Alembic's ``render_item`` hook; ``False`` leaves an item to Alembic."""
    if type_ == "type" and _is_foreign_type(obj):
        return render_foreign_type(obj, autogen_context)
    if type_ == "type" and _is_dialect_type_with_subtypes(obj):
        return render_dialect_type(obj, autogen_context)
    if type_ == "column" and isinstance(obj, Column):
        sequence = explicit_sequence(obj)
        if sequence is not None:
            return _render_column_with_sequence(obj, sequence, autogen_context)
    return False


def explicit_sequence(column: Column[Any]) -> Sequence | None:
    """The column's ``Sequence``, unless it is ``optional`` (then the database's own is used)."""
    default = column.default
    if isinstance(default, Sequence) and not default.optional:
        return default
    return None


def sequence_spec(sequence: Sequence) -> SequenceSpec:
    """The name, schema and set options of a model's sequence."""
    options = tuple(
        (name, getattr(sequence, name))
        for name in SEQUENCE_OPTIONS
        if getattr(sequence, name, None) is not None
    )
    return SequenceSpec(sequence.name, sequence.schema, options)


def _sa(autogen_context: AutogenContext) -> str:
    return str(autogen_context.opts.get("sqlalchemy_module_prefix") or "sa.")


def _op(autogen_context: AutogenContext) -> str:
    return str(autogen_context.opts.get("alembic_module_prefix") or "op.")


def _render_sequence(spec: SequenceSpec, autogen_context: AutogenContext, *, full: bool) -> str:
    args = [repr(spec.name)]
    if full:
        args += [f"{name}={value!r}" for name, value in spec.options]
    if spec.schema is not None:
        args.append(f"schema={spec.schema!r}")
    return f"{_sa(autogen_context)}Sequence({', '.join(args)})"


def _render_column_with_sequence(
    column: Column[Any], sequence: Sequence, autogen_context: AutogenContext
) -> str:
    plain = column._copy()
    plain.default = None
    text = _column_text(plain, autogen_context)
    rendered = _render_sequence(sequence_spec(sequence), autogen_context, full=True)
    # the sequence goes with the positional arguments, before the first keyword
    cut = min(
        (i for i in (text.find(f", {k}=") for k in ("server_default", "autoincrement", "nullable"))
         if i >= 0),
        default=len(text) - 1,
    )  # fmt: skip
    return f"{text[:cut]}, {rendered}{text[cut:]}"


def _column_text(column: Column[Any], autogen_context: AutogenContext) -> str:
    """Alembic's own rendering of a column, through the public ``render_op_text``."""
    text = render_op_text(autogen_context, alembic_ops.AddColumnOp(_PROBE_TABLE, column))
    # "op.add_column('t', sa.Column(...))", or "batch_op.add_column(sa.Column(...))" in a batch
    start = text.index(f"{_sa(autogen_context)}Column(")
    return text[start:-1]


def _type_text(type_: Any, autogen_context: AutogenContext) -> str:
    """Alembic's own rendering of a SQLAlchemy type."""
    text = _column_text(Column("c", type_), autogen_context)
    start = text.index("'c', ") + len("'c', ")
    return text[start : text.rindex(", nullable=")]


def _is_foreign_type(type_: Any) -> bool:
    module = type(type_).__module__
    return isinstance(type_, sqltypes.TypeEngine) and not module.startswith("sqlalchemy.")


def _dialect_of(type_: Any) -> str | None:
    parts = type(type_).__module__.split(".")
    return parts[2] if len(parts) > 2 and parts[:2] == ["sqlalchemy", "dialects"] else None


def _is_dialect_type_with_subtypes(type_: Any) -> bool:
    """A dialect's type holding another type (``ARRAY(String)``, ``JSONB(astext_type=Text)``).

    Alembic renders the inner type without its module prefix outside that dialect.
    """
    if not isinstance(type_, sqltypes.TypeEngine) or _dialect_of(type_) is None:
        return False
    try:
        names = list(inspect.signature(type(type_).__init__).parameters)[1:]
    except (TypeError, ValueError):
        return False
    return any(isinstance(getattr(type_, name, None), sqltypes.TypeEngine) for name in names)


def render_dialect_type(type_: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """``dialect.TYPE(args)``, every inner type rendered with its prefix and import."""
    dialect = _dialect_of(type_)
    arguments = _constructor_arguments(type_, autogen_context)
    if dialect is None or arguments is None:
        return False
    if autogen_context.imports is not None:
        autogen_context.imports.add(f"from sqlalchemy.dialects import {dialect}")
    return f"{dialect}.{type(type_).__name__}({', '.join(arguments)})"


def _argument_text(value: Any, autogen_context: AutogenContext | None) -> str | None:
    if isinstance(value, _LITERALS):
        return repr(value)
    if isinstance(value, sqltypes.TypeEngine) and autogen_context is not None:
        return _type_text(value, autogen_context)
    return None


def _constructor_arguments(
    type_: Any, autogen_context: AutogenContext | None = None
) -> list[str] | None:
    """``name=value`` for every argument of the type's ``__init__``; ``None`` if one is lost."""
    try:
        signature = inspect.signature(type(type_).__init__)
    except (TypeError, ValueError):
        return None
    rendered = []
    for name, parameter in list(signature.parameters.items())[1:]:
        if parameter.kind in {parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD}:
            continue
        if not hasattr(type_, name):
            if parameter.default is parameter.empty:
                return None
            continue
        value = getattr(type_, name)
        if parameter.default is not parameter.empty and _same(value, parameter.default):
            continue
        text = _argument_text(value, autogen_context)
        if text is None:
            return None
        rendered.append(f"{name}={text}")
    return rendered


def _same(value: Any, default: Any) -> bool:
    try:
        return bool(type(value) is type(default) and value == default)
    except Exception:  # a value whose == is an SQL expression
        return False


def render_foreign_type(type_: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """A third-party type, importable from the revision; its stored type when not rebuildable."""
    cls = type(type_)
    arguments = _constructor_arguments(type_, autogen_context)
    if "<locals>" not in cls.__qualname__ and arguments is not None:
        if autogen_context.imports is not None:
            autogen_context.imports.add(f"import {cls.__module__}")
        return f"{cls.__module__}.{cls.__qualname__}({', '.join(arguments)})"
    if isinstance(type_, sqltypes.TypeDecorator):
        return _type_text(type_.impl_instance, autogen_context)
    return False


@renderers.dispatch_for(CreateSequenceOp)
def _create_sequence(autogen_context: AutogenContext, op: CreateSequenceOp) -> str:
    sequence = _render_sequence(op.sequence, autogen_context, full=True)
    return f"{sequence}.create({_op(autogen_context)}get_bind(), checkfirst=True)"


@renderers.dispatch_for(DropSequenceOp)
def _drop_sequence(autogen_context: AutogenContext, op: DropSequenceOp) -> str:
    sequence = _render_sequence(op.sequence, autogen_context, full=False)
    return f"{sequence}.drop({_op(autogen_context)}get_bind(), checkfirst=True)"


def _enum_text(
    autogen_context: AutogenContext, name: str, values: tuple[str, ...], schema: str | None
) -> str:
    args = [repr(v) for v in values] + [f"name={name!r}"]
    if schema is not None:
        args.append(f"schema={schema!r}")
    return f"{_sa(autogen_context)}Enum({', '.join(args)})"


@renderers.dispatch_for(CreateEnumOp)
def _create_enum(autogen_context: AutogenContext, op: CreateEnumOp) -> str:
    enum = _enum_text(autogen_context, op.name, op.values, op.schema)
    return f"{enum}.create({_op(autogen_context)}get_bind(), checkfirst=True)"


@renderers.dispatch_for(DropEnumOp)
def _drop_enum(autogen_context: AutogenContext, op: DropEnumOp) -> str:
    enum = _enum_text(autogen_context, op.name, (), op.schema)
    return f"{enum}.drop({_op(autogen_context)}get_bind(), checkfirst=True)"


def add_enum_value_sql(op: AddEnumValueOp) -> str:
    """The ``ALTER TYPE`` statement, identifiers quoted as PostgreSQL needs them."""
    preparer = cast(Any, postgresql.dialect)().identifier_preparer
    name = preparer.quote(op.name)
    if op.schema is not None:
        name = f"{preparer.quote_schema(op.schema)}.{name}"
    sql = f"ALTER TYPE {name} ADD VALUE IF NOT EXISTS {_literal(op.value)}"
    if op.after is not None:
        sql += f" AFTER {_literal(op.after)}"
    elif op.before is not None:
        sql += f" BEFORE {_literal(op.before)}"
    return sql


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@renderers.dispatch_for(AddEnumValueOp)
def _add_enum_value(autogen_context: AutogenContext, op: AddEnumValueOp) -> list[str]:
    prefix = _op(autogen_context)
    return [
        f'if {prefix}get_bind().dialect.name == "postgresql":',
        f"    {prefix}execute({add_enum_value_sql(op)!r})",
        "",
    ]
