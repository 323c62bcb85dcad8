"""Helpers for the packaging tests: subprocesses, a local package index, virtual environments.

Nothing here names a registry host: the machine's normal index is read from pip's
own configuration at run time, and the index the tests publish to runs on
127.0.0.1, started and stopped (by its PID) by the tests themselves.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
REPO_VENV_BIN = REPO / ".venv" / "bin"
# distribution name -> its folder in the repository
PROJECTS = {
    "alembic-config": "alembic-config",
    "shared-service": "services/shared",
    "agent-service": "services/agent",
    "journal-service": "services/journal",
    "mindmirror-cli": "cli",
}
SERVICES = {"agent": "agent-service", "journal": "journal-service", "shared": "shared-service"}
REPOSITORY = "mmtest"  # the repository name the tests publish to
# environment variables of the outer run that must not leak into the subprocesses
_DROPPED_PREFIXES = ("ALEMBIC_CONFIG_", "DATABASE_URL", "PYTEST_", "POETRY_", "TWINE_", "MAKE")
_DROPPED = {"PYTHONPATH", "VIRTUAL_ENV", "MFLAGS", "PYTHONHOME"}


def project_version(name: str) -> str:
    """The version ``pyproject.toml`` of distribution ``name`` declares."""
    text = (REPO / PROJECTS[name] / "pyproject.toml").read_text()
    return str(tomllib.loads(text)["project"]["version"])


def clean_env(**overrides: str) -> dict[str, str]:
    """The environment for a subprocess: the machine's, minus this run's project settings."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in _DROPPED and not key.startswith(_DROPPED_PREFIXES)
    }
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"  # never ask a keyring
    env.update(overrides)
    return env


def run(
    args: Sequence[str | Path],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    check: bool = True,
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    """Run a command, capturing its output; on an unexpected failure, show that output."""
    result = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=dict(env) if env is not None else clean_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"{' '.join(map(str, args))} exited {result.returncode}\n"
            f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
        )
    return result


def make(*args: str, env: Mapping[str, str] | None = None, check: bool = True) -> str:
    """Run a target of the repository's Makefile (without re-running ``make setup``)."""
    result = run(["make", "-C", REPO, "-o", ".venv/.installed", *args], env=env, check=check)
    return result.stdout + result.stderr


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def normal_index_urls() -> list[str]:
    """The machine's normal package indexes, as pip is configured: index first, then extras.

    Read at run time from pip's configuration (``pip config list``, which includes
    ``PIP_*`` variables); pip's own default index when none is configured.
    """
    listed = run([sys.executable, "-m", "pip", "config", "list"]).stdout
    values: dict[str, list[str]] = {"index-url": [], "extra-index-url": []}
    for line in listed.splitlines():
        key, _, value = line.partition("=")
        option = key.rsplit(".", 1)[-1]
        if option in values:
            values[option] += value.strip().strip("'\"").split()
    if not values["index-url"]:
        from pip._internal.models.index import PyPI

        values["index-url"] = [PyPI.simple_url]
    return values["index-url"][:1] + values["extra-index-url"]


def write_htpasswd(path: Path, user: str, password: str) -> Path:
    """An Apache htpasswd file with one user, as pypiserver reads it."""
    with warnings.catch_warnings():  # passlib imports the deprecated 'crypt' module
        warnings.simplefilter("ignore", DeprecationWarning)
        from passlib.apache import HtpasswdFile

    htpasswd = HtpasswdFile(str(path), new=True)
    htpasswd.set_password(user, password)
    htpasswd.save()
    return path


@dataclass(frozen=True)
class PackageIndex:
    """A pypiserver on 127.0.0.1: uploads need the user and password, downloads do not."""

    port: int
    packages: Path
    user: str
    password: str
    pid: int

    @property
    def url(self) -> str:
        """The upload URL."""
        return f"http://127.0.0.1:{self.port}/"

    @property
    def simple_url(self) -> str:
        """The simple API, for pip and Poetry."""
        return f"http://127.0.0.1:{self.port}/simple/"

    def publish_env(self, *, credentials: bool = True) -> dict[str, str]:
        """The environment ``make publish REPOSITORY=mmtest`` reads its repository from."""
        name = REPOSITORY.upper()
        env = clean_env(**{f"POETRY_REPOSITORIES_{name}_URL": self.url})
        if credentials:
            env[f"POETRY_HTTP_BASIC_{name}_USERNAME"] = self.user
            env[f"POETRY_HTTP_BASIC_{name}_PASSWORD"] = self.password
        return env

    def files(self) -> set[str]:
        """The distribution files the index holds."""
        return {p.name for p in self.packages.iterdir()}


def _wait_until_serving(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"pypiserver exited {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (http on loopback)
                return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    raise AssertionError(f"pypiserver did not answer at {url}:\n{log.read_text()}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the process by its PID: terminate, then kill if it does not go."""
    if process.poll() is None:
        os.kill(process.pid, 15)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, 9)
            process.wait(timeout=10)


@contextmanager
def package_index(folder: Path, *, fallback: str | None = None) -> Iterator[PackageIndex]:
    """Run pypiserver with authenticated uploads on a free port; stop it by its PID afterwards.

    ``fallback``: where the index redirects requests for projects it does not
    hold (none by default).
    """
    packages = folder / "packages"
    packages.mkdir(parents=True, exist_ok=True)
    user, password = "uploader", "upload-secret"
    htpasswd = write_htpasswd(folder / "htpasswd", user, password)
    port = free_port()
    redirect = ["--fallback-url", fallback] if fallback else ["--disable-fallback"]
    log = folder / "pypiserver.log"
    server = [sys.executable, "-m", "pypiserver", "run", "--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*server, "-a", "update", "-P", str(htpasswd), *redirect, str(packages)],
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=clean_env(),
        )
    try:
        index = PackageIndex(port, packages, user, password, process.pid)
        _wait_until_serving(index.simple_url, process, log)
        yield index
    finally:
        _stop(process)


def create_venv(path: Path) -> Path:
    """A fresh virtual environment (with pip); returns its ``bin`` folder."""
    run([sys.executable, "-m", "venv", path])
    return path / "bin"
