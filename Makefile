# Everything the README's two commands need, on a machine with only Python 3.11 and make.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
MEMBERS := -e ./alembic-config[postgresql,mysql] $(foreach s,$(wildcard services/*/pyproject.toml),-e ./$(dir $(s))) -e ./cli
STAMP := $(VENV)/.installed
# the larger concurrency runs of tests/safety are manual: make test PYTEST_ARGS='-m stress'
PYTEST_ARGS ?= -m "not stress"

.PHONY: setup run test lint format clean bench-smoke release-check publish

## setup: create .venv and install every member editable, plus the dev tools
setup: $(STAMP)

$(STAMP): pyproject.toml alembic-config/pyproject.toml cli/pyproject.toml $(wildcard services/*/pyproject.toml)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25.1"
	$(BIN)/python -m pip install --quiet $(MEMBERS) --group dev
	touch $(STAMP)

## run: the main job: migrate the embedded default database (SQLite, ./mindmirror.db) to head
run: setup
	$(BIN)/alembic -c alembic.ini upgrade head
	$(BIN)/alembic -c alembic.ini current

## test: lint, type-check and run the whole test suite
test: setup lint
	$(BIN)/pytest $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## release-check: build PACKAGE's wheel and sdist into DIST, then verify contents and metadata
##   (alembic-config/README.md, "Releasing"; BUILD_ARGS=--no-isolation builds with .venv's backend)
PACKAGE ?= alembic-config
DIST ?= $(PACKAGE)/dist
release-check: setup
	rm -f $(DIST)/*.whl $(DIST)/*.tar.gz
	$(BIN)/python -m build $(BUILD_ARGS) --outdir $(DIST) $(PACKAGE)
	$(BIN)/python alembic-config/tools/check_dist.py --project $(PACKAGE) $(DIST)
	$(BIN)/twine check --strict $(DIST)/*

## publish: upload the checked DIST to REPOSITORY; its URL and credentials come from the
##   environment only: POETRY_REPOSITORIES_<NAME>_URL, POETRY_HTTP_BASIC_<NAME>_USERNAME/_PASSWORD
publish: setup
	@test -n "$(REPOSITORY)" || { echo "usage: make publish REPOSITORY=name [PACKAGE=dir]" >&2; exit 2; }
	$(BIN)/python alembic-config/tools/check_dist.py --project $(PACKAGE) $(DIST)
	cd $(PACKAGE) && $(abspath $(BIN))/poetry publish --no-interaction \
		--repository $(REPOSITORY) --dist-dir $(abspath $(DIST))

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

## bench-smoke: every benchmark scenario at a tiny size, once (keeps bench/ from rotting)
bench-smoke: setup
	$(PYTHON) bench/run.py --smoke
