"""Environment files: ``.env`` (and ``.env.NAME``) found from a folder upwards, read strictly.

A variable already set in the environment always wins over a file; a line that
does not parse, a file that is not UTF-8 or a folder where the file should be
is an error naming the file (and the line), never silently skipped.
"""

from __future__ import annotations

import io
import logging
import os
from collections.abc import MutableMapping
from pathlib import Path

from alembic_config._errors import EnvironmentFileError, InvalidEnvironmentFileError

logger = logging.getLogger(__name__)

_loaded_dotenv: list[Path] = []


def _find_upwards(name: str, start: Path) -> Path | None:
    for folder in (start, *start.parents):
        candidate = folder / name
        if candidate.is_file():
            return candidate
        if candidate.exists():
            # a folder (or a socket...) where the file should be: skipping it would
            # silently read another .env further up, or none
            raise InvalidEnvironmentFileError(
                f"{candidate} is not a file; remove it or make it a file of NAME=value lines",
                path=str(candidate),
                line=None,
            )
    return None


def _read_dotenv(path: Path) -> dict[str, str]:
    """The variables of one environment file; a line that does not parse is an error."""
    from dotenv.parser import parse_stream

    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidEnvironmentFileError(
            f"{path} is not UTF-8 text (byte {exc.start}); write it as NAME=value lines",
            path=str(path),
            line=None,
        ) from None
    except OSError as exc:
        raise InvalidEnvironmentFileError(
            f"cannot read {path}: {exc.strerror}", path=str(path), line=None
        ) from None
    if "\x00" in text:  # no environment variable can hold one
        raise InvalidEnvironmentFileError(
            f"{path} holds a NUL byte (byte {text.index(chr(0))}): it is not a text file; "
            "write it as NAME=value lines",
            path=str(path),
            line=None,
        )
    values: dict[str, str] = {}
    for binding in parse_stream(io.StringIO(text)):
        original = binding.original.string
        # a statement starts with the blank lines before it
        line = binding.original.line + len(original) - len(original.lstrip("\r\n"))
        if binding.error:
            # the line itself is not shown: it may hold a secret
            raise InvalidEnvironmentFileError(
                f"{path}, line {line}: cannot parse this line (an unterminated quote?); "
                "write NAME=value, quoting a value with ' or \" on both sides",
                path=str(path),
                line=line,
            )
        if binding.key is not None and binding.value is not None:
            values[binding.key] = binding.value
    return values


def load_dotenv_files(
    env_name: str | None = None,
    *,
    cwd: Path | None = None,
    environ: MutableMapping[str, str] | None = None,
) -> tuple[Path, ...]:
    """Load ``.env.<env_name>`` (if named) and ``.env``, found from ``cwd`` upwards.

    Variables already set win; ``.env.<env_name>`` wins over ``.env``. Returns the
    files read. A named environment whose file is missing is an error.
    """
    start = (cwd or Path.cwd()).resolve()
    target = os.environ if environ is None else environ
    files: list[Path] = []
    if env_name is not None and not env_name.strip():
        raise EnvironmentFileError(
            "the environment name is empty; name the environment whose .env.NAME to load",
            name=env_name,
            searched_from=str(start),
        )
    if env_name:
        named = _find_upwards(f".env.{env_name}", start)
        if named is None:
            raise EnvironmentFileError(
                f"no .env.{env_name} found in {start} or any folder above it",
                name=env_name,
                searched_from=str(start),
            )
        files.append(named)
    plain = _find_upwards(".env", start)
    if plain is not None:
        files.append(plain)
    for path in files:
        for key, value in _read_dotenv(path).items():
            if key not in target:
                target[key] = value
        if path not in _loaded_dotenv:
            _loaded_dotenv.append(path)
        logger.debug("environment file %s loaded", path)
    return tuple(files)


def loaded_dotenv_files() -> tuple[Path, ...]:
    """Every environment file loaded so far in this process, in loading order."""
    return tuple(_loaded_dotenv)
