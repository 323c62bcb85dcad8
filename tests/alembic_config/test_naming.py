"""The shared naming convention, exported for every service's MetaData."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic_config import NAMING_CONVENTION, load_all_models, service_metadata
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def test_service_metadata_names_every_constraint_with_the_convention() -> None:
    class Base(DeclarativeBase):
        metadata = service_metadata()

    class Invoice(Base):
        __tablename__ = "invoices"
        __table_args__ = (sa.CheckConstraint("total >= 0", name="total_positive"),)
        id: Mapped[int] = mapped_column(primary_key=True)
        number: Mapped[str] = mapped_column(sa.String(20), unique=True)
        order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id"), index=True)
        total: Mapped[int]

    sa.Table("orders", Base.metadata, sa.Column("id", sa.Integer, primary_key=True))
    table = Invoice.__table__
    names = {str(c.name) for c in table.constraints} | {str(i.name) for i in table.indexes}
    assert names == {
        "pk_invoices",
        "uq_invoices_number",
        "ix_invoices_order_id",
        "fk_invoices_order_id_orders",
        "ck_invoices_total_positive",
    }


def test_each_metadata_gets_its_own_copy_and_the_constant_is_read_only() -> None:
    first, second = service_metadata(), service_metadata(schema="billing")
    assert dict(first.naming_convention) == dict(NAMING_CONVENTION)
    assert first.naming_convention is not second.naming_convention
    assert second.schema == "billing"
    with pytest.raises(TypeError):
        NAMING_CONVENTION["pk"] = "x"  # type: ignore[index]


def test_the_example_services_use_the_shared_convention() -> None:
    catalog = load_all_models(services="shared,agent,journal")
    assert catalog.conflicts == ()
    assert dict(catalog.metadata.naming_convention) == dict(NAMING_CONVENTION)
