"""The handler's arguments are checked in its constructor, by the command line's rules:
a clear error naming the argument, before any file is opened, and nothing at exit."""

from __future__ import annotations

import io
import logging
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import clean_env, zstd_dc

import logtrim

_BAD: list[tuple[dict[str, Any], str]] = [
    ({"keep": ["("]}, "keep"),
    ({"drop": ["[a-"]}, "drop"),
    ({"tail": -1}, "tail"),
    ({"context": -5}, "context"),
    ({"after": -2}, "after"),
    ({"head": -3}, "head"),
    ({"success_tail": "many"}, "success_tail"),
    ({"heartbeat": float("nan")}, "heartbeat"),
    ({"budget": "20XB"}, "budget"),
    ({"budget": 100}, "budget"),
    ({"ci": "nope"}, "ci"),
    ({"compression": 99}, "compression"),
    ({"flush_seconds": -1.0}, "flush_seconds"),
    ({"masks": [""]}, "masks"),  # an empty secret masks nothing: a typo, as --mask ''
    ({"masks": ["a-real-secret", ""]}, "masks"),
    ({"masks": ["  "]}, "masks"),  # blanks only: refused as --mask refuses it
]


@pytest.mark.parametrize("other", [None, "", b"bytes", "\t"])
def test_a_bad_secret_list_is_refused_without_the_secrets_in_it(
    tmp_path: Path, other: object
) -> None:
    """``masks=[os.environ.get("DB_PASSWORD"), os.environ.get("API_TOKEN")]`` with one
    variable unset: the error reaches the console, and printed the other secret."""
    with pytest.raises(ValueError, match="masks") as raised:
        logtrim.LogtrimHandler(tmp_path / "x.zst", masks=["RealSecret-123", other])
    assert "RealSecret" not in str(raised.value)


@pytest.mark.parametrize(("kwargs", "name"), _BAD)
def test_bad_value_is_a_value_error_naming_it(
    tmp_path: Path, kwargs: dict[str, Any], name: str
) -> None:
    with pytest.raises(ValueError, match=name) as raised:
        logtrim.LogtrimHandler(tmp_path / "x.zst", stream=io.StringIO(), **kwargs)
    assert isinstance(raised.value, logtrim.UsageError)  # as the command line's option
    assert not list(tmp_path.iterdir()), "nothing opened or created"


def test_a_stream_that_is_no_stream_is_a_type_error(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="stream must be a text stream"):
        logtrim.LogtrimHandler(tmp_path / "x.zst", stream=42)  # type: ignore[arg-type]
    assert not list(tmp_path.iterdir()), "nothing opened or created"


def test_unknown_keyword_is_a_type_error(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="'bogus'"):
        logtrim.LogtrimHandler(tmp_path / "x.zst", bogus=1)
    assert not list(tmp_path.iterdir())


def test_no_second_error_at_exit(tmp_path: Path) -> None:
    """A refused handler is not half registered: logging's exit hook says nothing."""
    code = (
        "import logtrim\n"
        "for kw in ({'bogus': 1}, {'keep': ['(']}, {'tail': -1}):\n"
        "    try:\n"
        "        logtrim.LogtrimHandler('x.zst', **kw)\n"
        "    except (TypeError, ValueError) as exc:\n"
        "        print('TypeError' if isinstance(exc, TypeError) else 'ValueError')\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
        env=clean_env(), timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0
    assert proc.stdout.split() == [b"TypeError", b"ValueError", b"ValueError"]
    assert proc.stderr == b""
    assert not (tmp_path / "x.zst").exists()


def test_good_values_as_the_command_line_writes_them(tmp_path: Path) -> None:
    """What the command line and config files take is taken here too."""
    out = io.StringIO()
    handler = logtrim.LogtrimHandler(
        tmp_path / "x.zst", stream=out, budget="8kB", tail="5", keep=("deploy",), ci="plain"
    )
    assert handler.core.policy.tail == 5 and handler.core.policy.keep == ("deploy",)
    handler.close()


def test_compression_as_a_config_file_writes_it(tmp_path: Path) -> None:
    """``compression="3"``, as a config file or the command line gives a level: taken as 3,
    not a ``TypeError`` from the compressor."""
    handler = logtrim.LogtrimHandler(tmp_path / "x.zst", stream=io.StringIO(), compression="3")
    logging.getLogger("compression-as-text").addHandler(handler)
    logging.getLogger("compression-as-text").warning("kept")
    handler.close()
    assert b"kept" in zstd_dc(tmp_path / "x.zst")


def test_an_empty_or_directory_artifact_is_named_as_such(tmp_path: Path) -> None:
    """``""`` is no path (it would name the working directory); a directory is one."""
    with pytest.raises(logtrim.ArgumentError, match="artifact: an empty path"):
        logtrim.LogtrimHandler("", stream=io.StringIO())
    with pytest.raises(IsADirectoryError, match="is a directory"):
        logtrim.LogtrimHandler(tmp_path, stream=io.StringIO())


@pytest.mark.parametrize(
    "args", [(b"raw bytes", logging.INFO), (None, logging.INFO), ("x", "ERROR")]
)
def test_write_with_wrong_types_is_a_type_error_naming_its_arguments(
    tmp_path: Path, args: tuple[Any, Any]
) -> None:
    handler = logtrim.LogtrimHandler(artifact=str(tmp_path / "w.log.zst"), stream=io.StringIO())
    try:
        with pytest.raises(TypeError, match=r"^write\(text: str, levelno: int\)"):
            handler.write(*args)
        handler.write("fine", logging.INFO)
    finally:
        handler.close()
    assert b"fine" in zstd_dc(tmp_path / "w.log.zst")
