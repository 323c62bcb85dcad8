"""``alembic-config/tools/check_dist.py`` refuses archives that should never be published."""

from __future__ import annotations

import io
import sys
import tarfile
import zipfile
from collections.abc import Mapping
from pathlib import Path

import pytest

from tests.packaging.support import REPO, run

CHECKER = REPO / "alembic-config" / "tools" / "check_dist.py"
STEM = "demo_pkg-1.0.0"
PYPROJECT = """\
[project]
name = "demo-pkg"
version = "1.0.0"

[tool.poetry]
packages = [{ include = "demo_pkg" }]
"""
SOURCE = {
    "demo_pkg/__init__.py": "",
    "demo_pkg/versions/0001_first.py": "revision = '0001'\n",
}
METADATA = (
    "Metadata-Version: 2.4\nName: demo-pkg\nVersion: 1.0.0\nRequires-Dist: SQLAlchemy (>=2,<3)\n"
)


def write_project(root: Path, changelog: str = "## 1.0.0\n\n- first\n") -> Path:
    for name, text in {**SOURCE, "pyproject.toml": PYPROJECT, "CHANGELOG.md": changelog}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def write_wheel(folder: Path, files: Mapping[str, str]) -> None:
    with zipfile.ZipFile(folder / f"{STEM}-py3-none-any.whl", "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)


def write_sdist(folder: Path, files: Mapping[str, str]) -> None:
    with tarfile.open(folder / f"{STEM}.tar.gz", "w:gz") as archive:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"{STEM}/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))


def good_wheel() -> dict[str, str]:
    return {
        **SOURCE,
        f"{STEM}.dist-info/METADATA": METADATA,
        f"{STEM}.dist-info/WHEEL": "",
        f"{STEM}.dist-info/RECORD": "",
    }


def good_sdist() -> dict[str, str]:
    return {**SOURCE, "PKG-INFO": METADATA, "pyproject.toml": PYPROJECT, "CHANGELOG.md": ""}


def check(tmp_path: Path, wheel: Mapping[str, str], sdist: Mapping[str, str]) -> tuple[int, str]:
    project = write_project(tmp_path / "project")
    dist = tmp_path / "dist"
    dist.mkdir()
    write_wheel(dist, wheel)
    write_sdist(dist, sdist)
    result = run([sys.executable, CHECKER, "--project", project, dist], check=False)
    return result.returncode, result.stdout + result.stderr


def test_clean_archives_pass(tmp_path: Path) -> None:
    code, output = check(tmp_path, good_wheel(), good_sdist())
    assert (code, output.strip()) == (
        0,
        f"ok: {STEM}-py3-none-any.whl (5 files) and {STEM}.tar.gz (5 files)",
    )


BAD_REQUIRES = METADATA + "Requires-Dist: alembic-config @ file:///home/me/alembic-config\n"


@pytest.mark.parametrize(
    ("wheel_extra", "sdist_extra", "message"),
    [
        (
            {"demo_pkg/__pycache__/x.cpython-311.pyc": ""},
            {},
            "demo_pkg-1.0.0-py3-none-any.whl: forbidden file "
            "demo_pkg/__pycache__/x.cpython-311.pyc",
        ),
        ({}, {"demo_pkg/local.db": ""}, "demo_pkg-1.0.0.tar.gz: forbidden file demo_pkg/local.db"),
        (
            {"demo_pkg/.env": ""},
            {},
            "demo_pkg-1.0.0-py3-none-any.whl: forbidden file demo_pkg/.env",
        ),
        ({}, {"tests/test_x.py": ""}, "demo_pkg-1.0.0.tar.gz: forbidden file tests/test_x.py"),
        ({"notes.txt": ""}, {}, "demo_pkg-1.0.0-py3-none-any.whl: unexpected file notes.txt"),
        (
            {"demo_pkg/versions/0001_first.py": None},
            {},
            "demo_pkg-1.0.0-py3-none-any.whl: missing demo_pkg/versions/0001_first.py",
        ),
        (
            {f"{STEM}.dist-info/METADATA": BAD_REQUIRES},
            {},
            "demo_pkg-1.0.0-py3-none-any.whl: Requires-Dist 'alembic-config @ "
            "file:///home/me/alembic-config' is a direct reference, not a version range",
        ),
    ],
    ids=["pycache", "database", "dotenv", "tests", "stray", "missing-revision", "file-url"],
)
def test_bad_archives_are_refused(
    tmp_path: Path,
    wheel_extra: Mapping[str, str | None],
    sdist_extra: Mapping[str, str | None],
    message: str,
) -> None:
    def apply(files: dict[str, str], extra: Mapping[str, str | None]) -> dict[str, str]:
        files.update({k: v for k, v in extra.items() if v is not None})
        return {k: v for k, v in files.items() if extra.get(k, "") is not None}

    code, output = check(
        tmp_path, apply(good_wheel(), wheel_extra), apply(good_sdist(), sdist_extra)
    )
    assert code == 1
    assert output.strip().splitlines() == [message]


def test_a_version_without_changelog_entry_is_refused(tmp_path: Path) -> None:
    project = write_project(tmp_path / "project", changelog="## 0.9.0\n")
    dist = tmp_path / "dist"
    dist.mkdir()
    write_wheel(dist, good_wheel())
    write_sdist(dist, good_sdist())
    result = run([sys.executable, CHECKER, "--project", project, dist], check=False)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"{project}/CHANGELOG.md: no '## 1.0.0' entry for the version being released"
    )
