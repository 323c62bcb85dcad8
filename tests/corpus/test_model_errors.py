"""Model errors are refused at discovery, naming the service, the table and the index or key."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic_config._validation import model_problems

from tests.cli.support import expect, revisions
from tests.corpus.conftest import MakeCli
from tests.support.databases import TestDatabase


def test_mlflow_as_shipped_has_two_empty_indexes_and_a_key_to_non_unique_columns(
    corpus_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(corpus_site))
    import corpus_mlflow

    problems = model_problems(corpus_mlflow.shipped_metadata())
    assert problems == [
        "table input_tags: foreign key (input_uuid) -> inputs.input_uuid: the referenced "
        "columns are neither the primary key of inputs nor unique",
        "table trace_request_metadata: index index_trace_request_metadata_request_id has no "
        "columns",
        "table trace_tags: index index_trace_tags_request_id has no columns",
    ]
    assert model_problems(corpus_mlflow.build_metadata()) == []


def test_invalid_models_are_refused_before_anything_runs(
    corpus_cli: MakeCli, sqlite_database: TestDatabase
) -> None:
    cli = corpus_cli("invalid_models", sqlite_database.url)
    outcome = expect(cli("db", "revision", "--autogenerate", "-m", "invalid"), 3)
    assert "service invalid_models (corpus-invalid 1.0.0) defines an invalid schema" in (
        outcome.error
    )
    assert "table authors: index ix_authors_name has no columns" in outcome.error
    assert (
        "table books: foreign key (author_code) -> authors.code: authors has no column code"
        in outcome.error
    )
    assert "--exclude invalid_models" in outcome.error
    assert revisions(cli.project) == []
