"""Settings: command line > LOGTRIM_* > logtrim.toml > pyproject.toml > defaults, checked early."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import clean_env

from logtrim._errors import UsageError
from logtrim.cli.config import resolve


def test_defaults() -> None:
    """With nothing set, the documented defaults apply."""
    settings = resolve({}, {}, Path("/nonexistent"))
    assert settings["budget"] == 20_000_000
    assert settings["tail"] == 200
    assert settings["ci"] == "auto"


def test_precedence_cli_over_env_over_files(tmp_path: Path) -> None:
    """Each layer overrides the ones below it, key by key."""
    (tmp_path / "pyproject.toml").write_text(
        '[tool.logtrim]\nbudget = "1MB"\ntail = 50\ncontext = 7\nhead = 4\n'
    )
    (tmp_path / "logtrim.toml").write_text("tail = 60\ncontext = 8\n")
    env = {"LOGTRIM_CONTEXT": "9", "LOGTRIM_HEAD": "2"}
    settings = resolve({"head": 1}, env, tmp_path)
    assert settings["budget"] == 1_000_000  # pyproject only
    assert settings["tail"] == 60  # logtrim.toml over pyproject
    assert settings["context"] == 9  # env over files
    assert settings["head"] == 1  # command line over all


def test_mask_env_names_add_up_across_layers(tmp_path: Path) -> None:
    """A --mask-env on the command line does not unmask what the config file names."""
    (tmp_path / "logtrim.toml").write_text('mask-env = ["DB_PASSWORD"]\n')
    env = {"LOGTRIM_MASK_ENV": "API_TOKEN, OTHER"}
    settings = resolve({"mask_env": ["CLI_SECRET"]}, env, tmp_path)
    assert settings["mask_env"] == ["DB_PASSWORD", "API_TOKEN", "OTHER", "CLI_SECRET"]


def test_explicit_config_may_be_a_pyproject(tmp_path: Path) -> None:
    """--config pyproject.toml reads its [tool.logtrim] table."""
    path = tmp_path / "pyproject.toml"
    path.write_text('[project]\nname = "x"\n[tool.logtrim]\ntail = 12\n')
    assert resolve({}, {}, Path("/nonexistent"), path)["tail"] == 12


@pytest.mark.parametrize(
    ("layer", "message"),
    [
        ({"budget": "lots"}, "not a size"),
        ({"budget": "100"}, "at least"),
        ({"keep": ["(unclosed"]}, "bad regular expression"),
        ({"level": 99}, "between 1 and 22"),
        ({"tail": -1}, "bad value"),
    ],
)
def test_bad_values_are_usage_errors(layer: dict[str, object], message: str) -> None:
    """A bad value is one clear error, not a traceback."""
    with pytest.raises(UsageError, match=message):
        resolve(layer, {}, Path("/nonexistent"))


def test_unknown_key_in_file_is_an_error(tmp_path: Path) -> None:
    """A misspelt key in a config file is reported, not ignored."""
    (tmp_path / "logtrim.toml").write_text("budgte = '1MB'\n")
    with pytest.raises(UsageError, match="unknown key 'budgte'"):
        resolve({}, {}, tmp_path)


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None):
    return subprocess.run(
        [sys.executable, "-m", "logtrim", *args],
        cwd=cwd,
        env={**clean_env(), **(env or {})},
        capture_output=True,
        timeout=60,
    )


def test_bad_config_exits_2_before_the_child_starts(tmp_path: Path) -> None:
    """A broken config file stops logtrim with exit 2, and the step script never runs."""
    (tmp_path / "logtrim.toml").write_text("tail = 'many'\n")
    marker = tmp_path / "ran"
    result = _run(["run", "--", "touch", str(marker)], tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith(b"logtrim: error:")
    assert b"Traceback" not in result.stderr
    assert not marker.exists()


def test_env_settings_reach_the_run(tmp_path: Path) -> None:
    """LOGTRIM_* variables change a real run: here the tail length and the drop rule."""
    script = "import sys\nfor i in range(50): print(f'step {i} failed')\nsys.exit(1)\n"
    result = _run(
        ["run", "--artifact", "a.zst", "--", sys.executable, "-c", script],
        tmp_path,
        {"LOGTRIM_DROP": "step [0-9] failed", "LOGTRIM_HEAD": "0"},
    )
    assert result.returncode == 1
    assert b"step 3 failed" not in result.stdout  # dropped: not as context, not in the tail
    assert b"step 10 failed" in result.stdout
    assert b"step 49 failed" in result.stdout


def test_unset_mask_env_variable_warns(tmp_path: Path) -> None:
    """--mask-env naming an unset variable says so: a typo must not silently leak a secret."""
    result = _run(
        ["run", "--artifact", "a.zst", "--mask-env", "NO_SUCH_VAR_XYZ", "--", "true"], tmp_path
    )
    assert result.returncode == 0
    assert b"NO_SUCH_VAR_XYZ" in result.stderr
    assert b"unset or empty" in result.stderr
