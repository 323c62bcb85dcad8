"""After a service's entry points change, stale installed metadata is detected and the
command that refreshes it is named."""

from __future__ import annotations

import json
import logging
import shlex
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest
from alembic_config import StaleMetadata, find_stale_metadata
from alembic_config._catalog import build_catalog
from click.testing import CliRunner
from mindmirror_cli.main import cli

from tests.packaging.support import REPO, create_venv, run

GROUP = "alembic_config.metadata"


def write_source(
    folder: Path,
    entry_points: Mapping[str, str],
    *,
    version: str = "1.0.0",
    dynamic: tuple[str, ...] = (),
) -> Path:
    """A service's source folder: a PEP 621 pyproject.toml with entry points."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["[project]", 'name = "demo-service"']
    lines += [f"dynamic = {json.dumps(list(dynamic))}"] if dynamic else [f'version = "{version}"']
    if "entry-points" not in dynamic:
        lines += ["", f'[project.entry-points."{GROUP}"]']
        lines += [f'{name} = "{value}"' for name, value in entry_points.items()]
    (folder / "pyproject.toml").write_text("\n".join(lines) + "\n")
    return folder


def write_dist_info(
    site: Path,
    source: Path,
    entry_points: Mapping[str, str],
    *,
    version: str = "1.0.0",
    installer: str = "pip",
    editable: bool = True,
) -> Path:
    """What an installer leaves in site-packages for an (editable) install of ``source``."""
    dist_info = site / f"demo_service-{version}.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: demo-service\nVersion: {version}\n"
    )
    points = "".join(f"{name} = {value}\n" for name, value in entry_points.items())
    (dist_info / "entry_points.txt").write_text(f"[{GROUP}]\n{points}")
    (dist_info / "INSTALLER").write_text(f"{installer}\n")
    direct_url = {"url": source.as_uri(), "dir_info": {"editable": editable}}
    (dist_info / "direct_url.json").write_text(json.dumps(direct_url))
    return site


INSTALLED = {"demo": "demo_service.models:Base", "demo_old": "demo_service.old:Base"}
DECLARED = {"demo": "demo_service.schema:Base", "demo_new": "demo_service.new:Base"}


def test_unchanged_metadata_is_not_stale(tmp_path: Path) -> None:
    source = write_source(tmp_path / "src" / "demo", INSTALLED)
    site = write_dist_info(tmp_path / "site", source, INSTALLED)
    assert find_stale_metadata([str(site)]) == []


def test_changed_entry_points_are_reported_with_the_pip_command(tmp_path: Path) -> None:
    source = write_source(tmp_path / "src" / "demo", DECLARED, version="1.1.0")
    site = write_dist_info(tmp_path / "site", source, INSTALLED)

    (stale,) = find_stale_metadata([str(site)])

    assert stale.differences() == [
        "entry point demo_new = demo_service.new:Base is declared but not installed",
        "entry point demo_old = demo_service.old:Base is installed but no longer declared",
        "entry point demo is installed as demo_service.models:Base but declared as "
        "demo_service.schema:Base",
        "version 1.0.0 is installed but 1.1.0 is declared",
    ]
    assert stale.command == f"python -m pip install -e {source}"
    assert stale.describe() == (
        f"demo-service (editable, {source}/pyproject.toml): "
        + "; ".join(stale.differences())
        + f"; refresh it with: python -m pip install -e {source}"
    )


def test_the_pip_command_runs_the_interpreter_of_the_environment(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (venv / "bin" / "python").write_text("")
    site = venv / "lib" / "python3.11" / "site-packages"
    source = write_source(tmp_path / "my project" / "demo", DECLARED)
    write_dist_info(site, source, INSTALLED)

    (stale,) = find_stale_metadata([str(site)])

    assert stale.command == f"{venv}/bin/python -m pip install -e {shlex.quote(str(source))}"


@pytest.mark.parametrize(
    ("installer", "root_pyproject", "expected"),
    [
        (
            "Poetry 2.5.1",
            "[tool.poetry]\npackage-mode = false\n",
            "poetry -C {root} run python -m pip uninstall --yes demo-service"
            " && poetry -C {root} install",
        ),
        (
            "Poetry 2.5.1",
            None,
            "poetry -C {source} run python -m pip uninstall --yes demo-service"
            " && poetry -C {source} install",
        ),
        ("uv", None, "uv pip install --python python -e {source}"),
    ],
    ids=["poetry-monorepo", "poetry-project", "uv"],
)
def test_the_command_matches_the_installer(
    tmp_path: Path, installer: str, root_pyproject: str | None, expected: str
) -> None:
    root = tmp_path / "repo"
    source = write_source(root / "services" / "demo", DECLARED)
    if root_pyproject is not None:
        (root / "pyproject.toml").write_text(root_pyproject)
    site = write_dist_info(tmp_path / "site", source, INSTALLED, installer=installer)

    (stale,) = find_stale_metadata([str(site)])

    assert stale.command == expected.format(root=root, source=source)


@pytest.mark.parametrize(
    "case", ["not-editable", "no-pyproject", "dynamic", "no-project-table", "broken-toml"]
)
def test_what_cannot_be_compared_is_left_out(tmp_path: Path, case: str) -> None:
    dynamic = ("version", "entry-points") if case == "dynamic" else ()
    source = write_source(tmp_path / "src" / "demo", DECLARED, dynamic=dynamic)
    if case == "no-pyproject":
        (source / "pyproject.toml").unlink()
    if case == "no-project-table":
        (source / "pyproject.toml").write_text("[tool.poetry]\n")
    if case == "broken-toml":
        (source / "pyproject.toml").write_text("[project\n")
    site = tmp_path / "site"
    write_dist_info(site, source, INSTALLED, editable=case != "not-editable")
    assert find_stale_metadata([str(site)]) == []


@pytest.fixture
def stale_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stale editable install on ``sys.path`` (whose new entry point is not installed)."""
    source = write_source(tmp_path / "src" / "demo", {"demo": "demo_service.models:Base"})
    site = write_dist_info(tmp_path / "site", source, {})
    monkeypatch.syspath_prepend(str(site))
    return source


def test_the_catalog_build_warns(stale_site: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="alembic_config"):
        build_catalog(services=["shared"])
    warnings = [r.getMessage() for r in caplog.records if "stale installed metadata" in r.message]
    assert warnings == [
        f"stale installed metadata: demo-service (editable, {stale_site}/pyproject.toml): "
        "entry point demo = demo_service.models:Base is declared but not installed; "
        f"refresh it with: python -m pip install -e {stale_site}"
    ]


def test_doctor_lists_stale_metadata(stale_site: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["--database-url", f"sqlite:///{tmp_path}/x.db", "doctor"]
    as_json = runner.invoke(cli, [*args, "--json"], catch_exceptions=False)
    as_text = runner.invoke(cli, args, catch_exceptions=False)

    (stale,) = json.loads(as_json.output)["stale"]
    assert stale["distribution"] == "demo-service"
    assert stale["command"] == f"python -m pip install -e {stale_site}"
    assert stale["declared_entry_points"] == {"demo": "demo_service.models:Base"}
    assert stale["installed_entry_points"] == {}
    assert (
        "  demo-service: entry point demo = demo_service.models:Base is declared but not "
        f"installed\n    refresh with: python -m pip install -e {stale_site}\n"
    ) in as_text.output


SERVICE_MODELS = """\
from sqlalchemy import MetaData

metadata = MetaData()
"""


def service_pyproject(entry_points: str) -> str:
    return f"""\
[project]
name = "stale-demo"
version = "0.1.0"
requires-python = ">=3.11"

[project.entry-points."alembic_config.metadata"]
{entry_points}

[tool.poetry]
packages = [{{ include = "stale_demo" }}]

[build-system]
requires = ["poetry-core>=2.0,<3"]
build-backend = "poetry.core.masonry.api"
"""


@pytest.mark.slow
def test_a_pip_editable_install_goes_stale_and_the_named_command_refreshes_it(
    tmp_path: Path,
) -> None:
    service = tmp_path / "stale-demo"
    (service / "stale_demo").mkdir(parents=True)
    (service / "stale_demo" / "__init__.py").write_text("")
    (service / "stale_demo" / "models.py").write_text(SERVICE_MODELS)
    (service / "pyproject.toml").write_text(
        service_pyproject('demo = "stale_demo.models:metadata"')
    )
    bin_dir = create_venv(tmp_path / "venv")
    pip_install = [bin_dir / "python", "-m", "pip", "install", "--quiet"]
    # the product, editable from the source tree, with its dependencies from the normal index
    run([*pip_install, "-e", REPO / "alembic-config", "-e", REPO / "cli"])
    run([*pip_install, "--no-deps", "-e", service])

    def doctor_stale() -> list[dict[str, object]]:
        result = run([bin_dir / "mindmirror", "doctor", "--json"])
        stale = json.loads(result.stdout)["stale"]
        return [item for item in stale if item["distribution"] == "stale-demo"]

    def api_stale() -> list[str]:
        code = (
            "from alembic_config import find_stale_metadata as f; print(*[s.command for s in f()])"
        )
        result = run([bin_dir / "python", "-c", code])
        return result.stdout.split("\n")[:-1] if result.stdout.strip() else []

    assert doctor_stale() == []
    assert api_stale() == []

    new = 'demo = "stale_demo.models:metadata"\ndemo_audit = "stale_demo.models:metadata"'
    (service / "pyproject.toml").write_text(service_pyproject(new))

    (stale,) = doctor_stale()
    command = f"{bin_dir}/python -m pip install -e {service}"
    assert stale["command"] == command
    assert stale["differences"] == [
        "entry point demo_audit = stale_demo.models:metadata is declared but not installed"
    ]
    assert api_stale() == [command]

    run(shlex.split(command))

    assert doctor_stale() == []
    assert api_stale() == []


def test_stale_metadata_is_exported() -> None:
    import alembic_config

    assert alembic_config.find_stale_metadata is find_stale_metadata
    assert alembic_config.StaleMetadata is StaleMetadata
    assert {"find_stale_metadata", "StaleMetadata"} <= set(alembic_config.__all__)
    assert sys.modules["alembic_config._freshness"].__name__ == "alembic_config._freshness"
