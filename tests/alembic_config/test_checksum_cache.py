"""A revision's checksum kept beside its bytecode is only used for the very bytes it came from."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from alembic_config import _source_checksums
from alembic_config._source_checksums import _cache_path, file_checksum, source_checksum

SOURCE = 'from alembic import op\n\n\ndef upgrade():\n    op.drop_table("{name}")\n'


@pytest.fixture(autouse=True)
def writes_bytecode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    monkeypatch.setattr(sys, "pycache_prefix", None)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    """A revision file, not hashed yet."""
    revision = tmp_path / "0001_drop.py"
    revision.write_text(SOURCE.format(name="a"))
    return revision


def _count_hashes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    hashed: list[str] = []
    original = _source_checksums.source_checksum

    def counted(source: str) -> str:
        hashed.append(source)
        return original(source)

    monkeypatch.setattr(_source_checksums, "source_checksum", counted)
    return hashed


def test_the_same_bytes_are_hashed_once_and_an_edit_is_hashed_again(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hashed = _count_hashes(monkeypatch)
    first = file_checksum(path)
    assert file_checksum(path) == first == source_checksum(path.read_text())
    assert len(hashed) == 1
    cache = _cache_path(path)
    assert cache is not None
    assert cache.parent.name == "__pycache__"
    assert cache.exists()

    path.write_text(SOURCE.format(name="b"))  # the same size: only the bytes tell
    edited = file_checksum(path)
    assert edited != first
    assert edited == source_checksum(path.read_text())
    assert len(hashed) == 2


def test_a_cache_entry_for_other_bytes_or_another_algorithm_is_not_used(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = _cache_path(path)
    assert cache is not None
    cache.parent.mkdir()
    real = source_checksum(path.read_text())
    cache.write_text(f"{'0' * 64} {_source_checksums.ALGORITHM} {'f' * 64}\n")
    assert file_checksum(path) == real
    digest = cache.read_text().split()[0]
    cache.write_text(f"{digest} other-algorithm {'f' * 64}\n")
    assert file_checksum(path) == real
    cache.write_text("not a cache entry")
    assert file_checksum(path) == real


def test_nothing_is_written_where_python_writes_no_bytecode(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    assert file_checksum(path) == source_checksum(path.read_text())
    assert not (path.parent / "__pycache__").exists()


def test_an_unwritable_cache_folder_only_costs_the_hashing(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (path.parent / "__pycache__").write_text("a file where the cache folder would go")
    hashed = _count_hashes(monkeypatch)
    assert file_checksum(path) == source_checksum(path.read_text())
    assert file_checksum(path) == source_checksum(path.read_text())
    assert len(hashed) == 2
    assert (path.parent / "__pycache__").is_file()
