"""Settings: command line > LOGTRIM_* > logtrim.toml > pyproject.toml > defaults, checked early."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import clean_env

from logtrim import Policy
from logtrim._errors import UsageError
from logtrim.cli.config import resolve
from logtrim.cli.settings import Settings, names


def test_defaults() -> None:
    """With nothing set, the documented defaults apply: the engine's own, for its knobs."""
    settings = resolve({}, {}, Path("/nonexistent"))
    assert settings == Settings()
    assert settings.budget == 20_000_000 == Policy().budget
    assert settings.tail == 200
    assert settings.ci == "auto"
    assert settings.level == 1
    assert settings.policy([]) == Policy()


def test_settings_are_read_only() -> None:
    """A run's settings are checked once; nothing changes them afterwards."""
    with pytest.raises(AttributeError):
        Settings().tail = 5  # type: ignore[assignment]


def test_precedence_cli_over_env_over_files(tmp_path: Path) -> None:
    """Each layer overrides the ones below it, key by key."""
    (tmp_path / "pyproject.toml").write_text(
        '[tool.logtrim]\nbudget = "1MB"\ntail = 50\ncontext = 7\nhead = 4\n'
    )
    (tmp_path / "logtrim.toml").write_text("tail = 60\ncontext = 8\n")
    env = {"LOGTRIM_CONTEXT": "9", "LOGTRIM_HEAD": "2"}
    settings = resolve({"head": 1}, env, tmp_path)
    assert settings.budget == 1_000_000  # pyproject only
    assert settings.tail == 60  # logtrim.toml over pyproject
    assert settings.context == 9  # env over files
    assert settings.head == 1  # command line over all


@pytest.mark.parametrize(
    "listed",
    [
        "DB_PASSWORD,API_TOKEN",
        "DB_PASSWORD;API_TOKEN",
        "DB_PASSWORD API_TOKEN",
        " DB_PASSWORD ; API_TOKEN ",
        '["DB_PASSWORD", "API_TOKEN"]',  # a JSON list, as any list setting in the environment
        "--mask-env=DB_PASSWORD;API_TOKEN",
        'mask-env = ["DB_PASSWORD;API_TOKEN"]',
    ],
)
def test_mask_env_names_apart_by_commas_semicolons_or_blanks_all_mask(
    tmp_path: Path, listed: str
) -> None:
    """``LOGTRIM_MASK_ENV="DB_PASSWORD;API_TOKEN"`` (or blanks between, or a JSON list, or
    such a name on the command line or in a config's list) named one variable that no one
    set: a warning, and both secrets were printed."""
    env = {"DB_PASSWORD": "Hunter2Secret", "API_TOKEN": "Tok9876543"}
    options = []
    if listed.startswith("--"):
        options = [listed]
    elif listed.startswith("mask-env"):
        (tmp_path / "logtrim.toml").write_text(listed + "\n")
    else:
        env["LOGTRIM_MASK_ENV"] = listed
    command = ["run", "--artifact", "a.zst", *options, "--", "echo", "pw Hunter2Secret Tok9876543"]
    result = _run(command, tmp_path, env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(b"pw ******** ********\n")
    assert b"unset" not in result.stderr


def test_mask_env_names_add_up_across_layers(tmp_path: Path) -> None:
    """A --mask-env on the command line does not unmask what the config file names."""
    (tmp_path / "logtrim.toml").write_text('mask-env = ["DB_PASSWORD"]\n')
    env = {"LOGTRIM_MASK_ENV": "API_TOKEN, OTHER"}
    settings = resolve({"mask_env": ["CLI_SECRET"]}, env, tmp_path)
    assert settings.mask_env == ("DB_PASSWORD", "API_TOKEN", "OTHER", "CLI_SECRET")


def test_explicit_config_may_be_a_pyproject(tmp_path: Path) -> None:
    """--config pyproject.toml reads its [tool.logtrim] table."""
    path = tmp_path / "pyproject.toml"
    path.write_text('[project]\nname = "x"\n[tool.logtrim]\ntail = 12\n')
    assert resolve({}, {}, Path("/nonexistent"), path).tail == 12


@pytest.mark.parametrize(
    ("layer", "message"),
    [
        ({"budget": "lots"}, "not a size"),
        ({"budget": "100"}, "at least"),
        ({"budget": 4096.5}, r"not a size: '4096\.5' \(a whole number of bytes"),
        ({"budget": "4096.5B"}, "a whole number of bytes"),
        ({"keep": ["(unclosed"]}, "bad regular expression"),
        ({"level": 99}, "between 1 and 22"),
        ({"tail": -1}, "bad value"),
        ({"drain_timeout": float("nan")}, "--drain-timeout: bad value .* finite"),
        ({"progress_interval": float("nan")}, "--progress-interval: bad value .* finite"),
        ({"grace": float("inf")}, "--grace: bad value .* finite"),
        ({"heartbeat": -1.0}, "--heartbeat: bad value .* from 0 to 31536000"),
        # past a year: a timer that long overflowed time_t (a traceback, no SIGKILL)
        ({"grace": 1e10}, "--grace: bad value .* from 0 to 31536000, a year"),
        ({"budget": "1" + "0" * 400}, "--budget: bad value"),
        ({"ci": "travis"}, r"--ci: bad value .* \(one of auto, octopus"),
        # Other scripts' digits (int() and float() take them): the documented syntax is ASCII.
        ({"budget": "\uff12\uff10MB"}, "not a size"),
        ({"budget": "\u0663\u0660\u0660\u0660"}, "not a size"),
        ({"tail": "\u0663"}, "--tail: bad value"),
        ({"heartbeat": "\u0663"}, "--heartbeat: bad value"),
    ],
)
def test_bad_values_are_usage_errors(layer: dict[str, object], message: str) -> None:
    """A bad value is one clear error, not a traceback."""
    with pytest.raises(UsageError, match=message):
        resolve(layer, {}, Path("/nonexistent"))


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("LOGTRIM_DRAIN_TIMEOUT", "nan"),
        ("LOGTRIM_GRACE", "inf"),
        ("LOGTRIM_PROGRESS_INTERVAL", "-infinity"),
        ("LOGTRIM_HEARTBEAT", "-5"),
        ("LOGTRIM_GRACE", "1e10"),
        ("LOGTRIM_TAIL", "2.5"),
        ("LOGTRIM_LEVEL", "0"),
    ],
)
def test_bad_numbers_from_the_environment(variable: str, value: str) -> None:
    """Numbers from LOGTRIM_* are checked like the command line's, and the error names them."""
    with pytest.raises(UsageError, match=f"^{variable}: bad value"):
        resolve({}, {variable: value}, Path("/nonexistent"))


@pytest.mark.parametrize(
    "line", ["grace = inf", "drain-timeout = nan", "tail = true", "head = 1.5", "heartbeat = -1"]
)
def test_bad_numbers_from_a_file(tmp_path: Path, line: str) -> None:
    """TOML has inf, nan and booleans: none of them is a number of seconds or lines."""
    (tmp_path / "logtrim.toml").write_text(line + "\n")
    with pytest.raises(UsageError, match=r"logtrim\.toml: bad value"):
        resolve({}, {}, tmp_path)


def test_unknown_key_in_file_is_an_error(tmp_path: Path) -> None:
    """A misspelt key in a config file is reported, not ignored."""
    (tmp_path / "logtrim.toml").write_text("budgte = '1MB'\n")
    with pytest.raises(UsageError, match=r"unknown key 'budgte' \(did you mean 'budget'\?\)"):
        resolve({}, {}, tmp_path)
    # A secret written in the file: told where secrets go instead.
    (tmp_path / "logtrim.toml").write_text("mask = ['hunter2-x']\n")
    with pytest.raises(UsageError, match=r"unknown key 'mask' .*mask-env"):
        resolve({}, {}, tmp_path)
    # pyproject.toml's table in logtrim.toml: told which table this file takes.
    (tmp_path / "logtrim.toml").write_text("[tool.logtrim]\nbudget = '4kB'\n")
    with pytest.raises(UsageError, match=r"\[tool\.logtrim\] is pyproject\.toml's table"):
        resolve({}, {}, tmp_path)


def _run(
    args: list[str], cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
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


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--drain-timeout", "nan"], {}, b"--drain-timeout: bad value for drain-timeout: 'nan'"),
        (["--grace", "inf"], {}, b"--grace: bad value for grace: 'inf'"),
        ([], {"LOGTRIM_PROGRESS_INTERVAL": "nan"}, b"LOGTRIM_PROGRESS_INTERVAL: bad value"),
        # Text where a number goes: said as the checks above say it, not in click's words.
        (["--tail", "abc"], {}, b"--tail: bad value for tail: 'abc' (a whole number)\n"),
        (["--grace", "soon"], {}, b"--grace: bad value for grace: 'soon' (a number)\n"),
    ],
)
def test_bad_number_exits_2_before_the_child_starts(
    tmp_path: Path, args: list[str], env: dict[str, str], message: bytes
) -> None:
    """nan, inf and the like are one line and exit 2; the step script never runs."""
    marker = tmp_path / "ran"
    result = _run(["run", *args, "--artifact", "a.zst", "--", "touch", str(marker)], tmp_path, env)
    assert result.returncode == 2
    assert result.stderr.startswith(b"logtrim: error: " + message)
    assert result.stderr.count(b"\n") == 1
    assert not marker.exists()
    assert not (tmp_path / "a.zst").exists()


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


@pytest.mark.parametrize(
    ("args", "env", "config"),
    [
        (["--mask", ""], {}, ""),
        (["--mask", "\n"], {}, ""),  # masked as the value less its newlines: nothing
        (["--mask-env", ""], {}, ""),
        (["--mask-env", "TOKEN", "--mask-env", " "], {}, ""),
        ([], {"LOGTRIM_MASK_ENV": "TOKEN,,OTHER"}, ""),
        ([], {}, 'mask-env = ["TOKEN", ""]\n'),
    ],
)
def test_an_empty_mask_or_mask_env_name_is_a_usage_error(
    tmp_path: Path, args: list[str], env: dict[str, str], config: str
) -> None:
    """``--mask ''`` masks nothing and ``--mask-env ''`` names nothing: a script's typo
    (``--mask "$DB_PASWORD"``) must not pass unseen. One line, exit 2, the step not run."""
    if config:
        (tmp_path / "logtrim.toml").write_text(config)
    marker = tmp_path / "ran"
    result = _run(["run", "--artifact", "a.zst", *args, "--", "touch", str(marker)], tmp_path, env)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(b"logtrim: error: ") and result.stderr.count(b"\n") == 1
    assert b"empty" in result.stderr and b"mask" in result.stderr.lower()
    assert not marker.exists() and not (tmp_path / "a.zst").exists()


def test_config_page_shows_each_setting_and_its_default() -> None:
    """docs/config.md has a row per setting, with the default the code uses."""
    page = (Path(__file__).resolve().parent.parent / "docs" / "config.md").read_text("utf-8")
    rows = {
        cells[0].strip("` "): cells
        for line in page.splitlines()
        if line.startswith("| `") and len(cells := line.strip("|").split("|")) >= 5
    }
    for name in names():
        setting = getattr(Settings, name)
        key = name.replace("_", "-")
        assert key in rows, f"{key} has no row in docs/config.md"
        shown = setting.show(setting.default) if setting.show else "[]"
        if not re.fullmatch(r"[\d.]+|\[\]|true|false", shown):
            shown = f'"{shown}"'  # a string in TOML
        assert rows[key][1].strip() == f"`--{key}`"
        assert rows[key][2].strip() == f"`LOGTRIM_{name.upper()}`"
        assert rows[key][3].strip() == f"`{shown}`", f"{key}: docs/config.md says {rows[key][3]}"


# mask_env: see test_unset_...; native_progress is a flag (its bad values: tests/test_native.py)
@pytest.mark.parametrize("name", [n for n in names() if n not in ("mask_env", "native_progress")])
def test_every_setting_is_a_run_option(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Each setting's --option reaches the settings: a bad value is reported under its name."""
    from logtrim.cli.app import main

    option = "--" + name.replace("_", "-")
    bad = {"budget": "lots", "ci": "travis", "keep": "(", "drop": "(", "history": __file__}.get(
        name, "-1"
    )  # --history: a file where a directory goes
    assert main(["run", option, bad, "--", "true"]) == 2
    assert capsys.readouterr().err.startswith(f"logtrim: error: {option}: ")


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["run"], "no command to run: logtrim run [OPTIONS] -- COMMAND"),
        (["run", "--no-such-option", "--", "true"], "No such option: --no-such-option"),
        # a suggestion only when close: click offered --verbose for --bogus
        (["run", "--bogus", "--", "true"], "No such option: --bogus (see 'logtrim run --help')"),
        (["run", "--budgte", "1MB", "--", "true"], "--budgte (Possible options: --budget)"),
        (["frobnicate"], "No such command 'frobnicate'"),
        (["stats", "--top", "many", "x.log"], "--top: bad value for top: 'many'"),
        (["trim"], "Missing argument"),
        # one dash for two: click reads ``-b`` and names it alone
        (
            ["run", "-budget", "4kB", "--", "true"],
            "No such option: -budget (did you mean --budget?)",
        ),
        (["trim", "-budget", "4kB", "x.log"], "No such option: -budget (did you mean --budget?)"),
        (
            ["run", "-mask=s3cr3t-v4lue", "--", "true"],
            "No such option: -mask (did you mean --mask?)",
        ),
    ],
)
def test_a_usage_mistake_is_one_line_and_exit_2(
    argv: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """typer's usage errors read like logtrim's own: one line on stderr, exit 2, no panel."""
    from logtrim.cli.app import main

    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert err.startswith("logtrim: error: ") and says in err, err


@pytest.mark.parametrize("argv", [["-h"], ["run", "-h"], ["trim", "-h"], ["stats", "-h"]])
def test_dash_h_is_help(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    from logtrim.cli.app import main

    assert main(argv) == 0
    assert capsys.readouterr().out.startswith("Usage: logtrim")


def test_dash_h_after_the_command_is_the_child_s(tmp_path: Path) -> None:
    child = [sys.executable, "-c", "import sys; print(sys.argv[1:])", "-h"]
    result = _run(["run", "--artifact", str(tmp_path / "a.zst"), *child], tmp_path, {})
    assert result.returncode == 0
    assert b"['-h']" in result.stdout


def test_an_unknown_logtrim_variable_is_a_warning_naming_the_setting_meant(
    tmp_path: Path,
) -> None:
    """A typo in a variable name would turn masking off unseen: the run warns, then goes on
    (and masks what the variable spelt right names)."""
    env = {"LOGTRIM_MASKENV": "DB_PASSWORD", "LOGTRIM_MASK_ENV": "TOKEN", "TOKEN": "t0ken-Value"}
    child = [sys.executable, "-c", "print('using t0ken-Value')"]
    result = _run(["run", "--artifact", str(tmp_path / "a.zst"), "--", *child], tmp_path, env)
    assert result.returncode == 0
    warnings = [line for line in result.stderr.decode().splitlines() if "warning" in line]
    assert warnings == [
        "logtrim: warning: LOGTRIM_MASKENV is not a logtrim setting: ignored "
        "(did you mean LOGTRIM_MASK_ENV?)"
    ]
    assert b"using ********" in result.stdout


def test_a_logtrim_variable_named_by_mask_env_is_no_unknown_setting(tmp_path: Path) -> None:
    """The Octopus step template hands its secret over in ``LOGTRIM_STEP_SECRET`` with
    ``--mask-env LOGTRIM_STEP_SECRET``: that variable is used, no warning on stderr (which
    Octopus would show as the step's error), and its value is masked."""
    env = {"LOGTRIM_STEP_SECRET": "hunter22-step"}
    child = [sys.executable, "-c", "print('pw hunter22-step')"]
    argv = ["run", "--mask-env", "LOGTRIM_STEP_SECRET", "--artifact", str(tmp_path / "a.zst")]
    result = _run([*argv, "--", *child], tmp_path, env)
    assert result.returncode == 0
    assert result.stderr == b""
    assert b"pw ********" in result.stdout


def test_a_typo_is_never_told_to_mean_a_variable_of_the_tests(tmp_path: Path) -> None:
    """The tests' and benchmarks' switches are known (no warning), never suggested."""
    env = {"LOGTRIM_CORPU": "x", "LOGTRIM_CORPUS": "/tmp", "LOGTRIM_NO_FORKS": "1"}
    result = _run(["run", "--artifact", str(tmp_path / "a.zst"), "--", "true"], tmp_path, env)
    warnings = [line for line in result.stderr.decode().splitlines() if "warning" in line]
    assert len(warnings) == 2
    assert not any("CORPUS" in w or "NO_FORK'" in w for w in warnings), warnings


def test_config_and_regex_mistakes_are_told_as_typed(tmp_path: Path) -> None:
    """``--config DIR`` says it is a directory; a bad pattern is quoted as typed (no doubled
    backslashes); each is exit 2 before the command starts."""
    result = _run(["run", "--config", str(tmp_path), "--", "true"], tmp_path)
    assert result.returncode == 2
    assert f"config file is a directory: {tmp_path}".encode() in result.stderr
    # a FIFO (or /dev/stdin) is there, but read only once: not "not found"
    fifo = tmp_path / "config.fifo"
    os.mkfifo(fifo)
    result = _run(["run", "--config", str(fifo), "--", "true"], tmp_path)
    assert result.returncode == 2
    assert f"config file is not a regular file: {fifo}".encode() in result.stderr
    result = _run(["run", "--keep", r"\bfoo\b(?i)", "--", "true"], tmp_path)
    assert result.returncode == 2
    assert rb"bad regular expression '\bfoo\b(?i)'" in result.stderr


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (Path.mkdir, "config file is not a regular file"),
        (
            lambda p: p.symlink_to(p.parent / "gone" / "logtrim.toml"),
            "config file is a link to nothing",
        ),
    ],
    ids=["directory", "dangling-link"],
)
def test_a_config_file_in_the_working_directory_that_is_no_file_is_refused(
    tmp_path: Path, make: Callable[[Path], object], says: str
) -> None:
    """A ``logtrim.toml`` that is a directory, or a link to a shared config that is gone, was
    ignored unseen (its settings, ``mask-env`` among them, not applied): a usage error,
    before the step starts."""
    make(tmp_path / "logtrim.toml")
    marker = tmp_path / "ran"
    result = _run(["run", "--", "touch", str(marker)], tmp_path)
    assert result.returncode == 2
    assert result.stderr.decode() == f"logtrim: error: {says}: {tmp_path / 'logtrim.toml'}\n"
    assert not marker.exists()


def test_a_config_path_that_cannot_be_looked_up_is_a_usage_error(tmp_path: Path) -> None:
    """``--config`` with a name too long for the system: before, an internal error ran the
    step unfiltered, with no archive and exit 0; now exit 2, and the step never starts."""
    marker = tmp_path / "ran"
    config = "x" * 5000 + ".toml"
    result = _run(["run", "--config", config, "--", "touch", str(marker)], tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith(b"logtrim: error: config file cannot be looked up: xxx")
    assert result.stderr.count(b"\n") == 1
    assert not marker.exists()


@pytest.mark.parametrize("explicit", [False, True])
def test_a_key_beside_the_logtrim_table_is_a_usage_error(tmp_path: Path, explicit: bool) -> None:
    """``mask-env`` above a ``[logtrim]`` table was read from neither place: the secret it
    names reached the console and the archive, exit 0, without a word."""
    config = tmp_path / "logtrim.toml"
    config.write_text('mask-env = ["DB_PASSWORD"]\n\n[logtrim]\nbudget = "5MB"\n')
    marker = tmp_path / "ran"
    args = ["run", "--artifact", str(tmp_path / "a.zst")]
    args += ["--config", str(config)] if explicit else []
    result = _run(
        [*args, "--", "sh", "-c", 'echo "pw $DB_PASSWORD"; touch ran'],
        tmp_path,
        env={"DB_PASSWORD": "hunter2-prod-pw"},
    )
    assert result.returncode == 2
    assert result.stderr.endswith(
        b"logtrim.toml: key 'mask-env' is outside the [logtrim] table: put every key in it, "
        b"or have no [logtrim] table\n"
    )
    assert b"hunter2" not in result.stdout + result.stderr
    assert not marker.exists() and not (tmp_path / "a.zst").exists()


def test_a_config_file_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    """A ``logtrim.toml`` saved with a UTF-8 byte-order mark (Windows Notepad) was refused
    as "not valid TOML: Invalid statement (at line 1, column 1)"."""
    (tmp_path / "logtrim.toml").write_bytes(b'\xef\xbb\xbfbudget = "5MB"\ntail = 7\n')
    settings = resolve({}, {}, tmp_path)
    assert settings.budget == 5_000_000
    assert settings.tail == 7


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ('[project]\nname = "shop"\n\n[logtrim]\nmask-env = ["DB_PASSWORD"]\n',
         b"the [logtrim] table"),
        ('mask-env = ["DB_PASSWORD"]\n\n[project]\nname = "shop"\n', b"key 'mask-env'"),
    ],
)  # fmt: skip
def test_logtrim_settings_astray_in_pyproject_are_a_usage_error(
    tmp_path: Path, text: str, said: bytes
) -> None:
    """In ``pyproject.toml`` logtrim reads ``[tool.logtrim]`` only: a ``[logtrim]`` table or
    a top-level ``mask-env`` was ignored without a word, and the secret printed."""
    (tmp_path / "pyproject.toml").write_text(text)
    result = _run(
        ["run", "--artifact", str(tmp_path / "a.zst"), "--", "sh", "-c", 'echo "pw $DB_PASSWORD"'],
        tmp_path,
        env={"DB_PASSWORD": "hunter2-prod-pw"},
    )
    assert result.returncode == 2
    assert result.stderr.endswith(b"pyproject.toml: " + said + b" belongs under [tool.logtrim]\n")
    assert b"hunter2" not in result.stdout + result.stderr


@pytest.mark.parametrize("broken", [False, True])
def test_a_utf16_pyproject_is_read(tmp_path: Path, broken: bool) -> None:
    """A ``pyproject.toml`` in UTF-16 (Windows PowerShell's ``Out-File``) was "not valid
    TOML" and, as it seemed not to name logtrim (the word has NULs between its letters in
    UTF-16), skipped with a warning: its ``mask-env`` was lost and the secret printed. It is
    read now; a broken one that names logtrim is a usage error."""
    table = "[tool.logtrim" + ("" if broken else "]")
    (tmp_path / "pyproject.toml").write_text(
        f'{table}\nmask-env = ["DB_PASSWORD"]\n', encoding="utf-16"
    )
    result = _run(
        ["run", "--artifact", str(tmp_path / "a.zst"), "--", "sh", "-c", 'echo "pw $DB_PASSWORD"'],
        tmp_path,
        env={"DB_PASSWORD": "hunter2-prod-pw"},
    )
    assert b"hunter2" not in result.stdout + result.stderr
    if broken:
        assert result.returncode == 2 and b"not valid TOML" in result.stderr
    else:
        assert result.returncode == 0 and b"pw ********" in result.stdout


def test_one_pattern_as_a_string_in_a_config_file_is_a_list_of_one(tmp_path: Path) -> None:
    """``keep = "[Dd]eployed"``: a string that starts with ``[`` was read as a JSON list, as
    a variable's is, and refused ("a JSON list of strings")."""
    (tmp_path / "logtrim.toml").write_text('keep = "[Dd]eployed"\ndrop = "^DEBUG "\n')
    settings = resolve({}, {}, tmp_path)
    assert settings.keep == ("[Dd]eployed",)
    assert settings.drop == ("^DEBUG ",)


def test_one_pattern_in_brackets_in_a_variable_is_a_list_of_one(tmp_path: Path) -> None:
    """``LOGTRIM_DROP='[DEBUG]'``: a variable that starts with ``[`` but is no JSON list of
    strings was refused ("a JSON list of strings"); it is one pattern, as a lone value is."""
    env = {"LOGTRIM_DROP": "[DEBUG]", "LOGTRIM_KEEP": "[0-9]+ errors"}
    settings = resolve({}, env, tmp_path)
    assert settings.drop == ("[DEBUG]",)
    assert settings.keep == ("[0-9]+ errors",)
    listed = resolve({}, {"LOGTRIM_KEEP": '["^Deployed ", "[Ee]rror"]'}, tmp_path)
    assert listed.keep == ("^Deployed ", "[Ee]rror")


@pytest.mark.parametrize(
    ("line", "said"),
    [
        ('budget = "5XB"', "logtrim.toml: budget: not a size: '5XB'"),
        ("budget = 100", "logtrim.toml: budget: at least 2 kB"),
        ('keep = "("', "logtrim.toml: keep: bad regular expression '('"),
        ("head = true", "logtrim.toml: bad value for head: true (a whole number"),
        ('keep = ["a", 3]', 'logtrim.toml: bad value for keep: ["a", 3] (a list of strings)'),
        ('artifact = "x.zst"', "unknown key 'artifact' (--artifact is given on the command line"),
    ],
)
def test_a_config_files_error_names_the_key_as_the_file_writes_it(
    tmp_path: Path, line: str, said: str
) -> None:
    """A file is named by its path, so an error that did not name the key (``logtrim.toml:
    not a size: '5XB'``) left the reader to find it; a value was said as Python writes it
    (``True``, ``['a', 3]``); ``artifact`` was an unknown key, with no word of why."""
    (tmp_path / "logtrim.toml").write_text(line + "\n")
    with pytest.raises(UsageError) as raised:
        resolve({}, {}, tmp_path)
    assert said in str(raised.value)


def test_values_nested_past_pythons_limit_are_usage_errors(tmp_path: Path) -> None:
    """A list nested hundreds deep (in a file, or ``[[[...`` in a variable) raised
    RecursionError: logtrim failed open, ran the step unfiltered and wrote no archive."""
    (tmp_path / "logtrim.toml").write_text("keep = " + "[" * 600 + "]" * 600 + "\n")
    with pytest.raises(UsageError, match=r"logtrim\.toml: not valid TOML: nested too deeply"):
        resolve({}, {}, tmp_path)
    with pytest.raises(UsageError, match=r"LOGTRIM_KEEP: bad regular expression"):
        resolve({}, {"LOGTRIM_KEEP": "[" * 1000}, Path("/nonexistent"))


_UNREADABLE = Path("/proc/sys/vm/drop_caches")  # write-only, even for root


@pytest.mark.skipif(
    not _UNREADABLE.is_file() or os.access(_UNREADABLE, os.R_OK),
    reason="needs a regular file this user cannot read",
)
def test_an_unreadable_config_file_is_said_to_be_unreadable(tmp_path: Path) -> None:
    """A config file that cannot be read is a usage error that says so: it was reported as
    "not valid TOML: [Errno 13] Permission denied", as if its syntax were at fault."""
    marker = tmp_path / "ran"
    result = _run(["run", "--config", str(_UNREADABLE), "--", "touch", str(marker)], tmp_path)
    assert result.returncode == 2
    assert result.stderr == (
        b"logtrim: error: config file cannot be read: /proc/sys/vm/drop_caches: Permission denied\n"
    )
    assert not marker.exists()


@pytest.mark.parametrize("where", ["option", "variable", "file"])
def test_a_whole_number_of_any_length_means_all(tmp_path: Path, where: str) -> None:
    """A whole number past 2,147,483,647 means all (docs/exit-codes.md): before, one of
    5,000 digits was refused three ways, one of them naming ``sys.set_int_max_str_digits``."""
    huge = "9" * 5000
    args = ["run", "--artifact", str(tmp_path / "a.zst")]
    env = {}
    if where == "option":
        args += ["--head", huge]
    elif where == "variable":
        env["LOGTRIM_HEAD"] = huge
    else:
        (tmp_path / "logtrim.toml").write_text(f"head = {huge}\n")
    result = _run([*args, "--", "echo", "hi"], tmp_path, env)
    assert result.returncode == 0, result.stderr[-300:]
    assert result.stdout.startswith(b"hi\n")


def test_one_key_in_two_spellings_is_a_usage_error(tmp_path: Path) -> None:
    """``success-tail = 7`` and ``success_tail = 0`` in one file: before, the last one won
    without a word (a literal duplicate was already refused by the TOML parser)."""
    (tmp_path / "logtrim.toml").write_text("success-tail = 7\nsuccess_tail = 0\n")
    marker = tmp_path / "ran"
    result = _run(["run", "--", "touch", str(marker)], tmp_path)
    assert result.returncode == 2
    assert b"'success_tail' is given twice" in result.stderr
    assert not marker.exists()


def test_a_budget_past_any_size_says_it_is_too_large(tmp_path: Path) -> None:
    """A budget of more bytes than a size can hold: the message says so, not only what a
    size looks like (the value is one)."""
    result = _run(["run", "--budget", "99999999999999999999999GB", "--", "true"], tmp_path)
    assert result.returncode == 2
    assert result.stderr.decode() == (
        "logtrim: error: --budget: bad value for budget: '99999999999999999999999GB' "
        "(too large: at most 8 EiB; 20MB is the default)\n"
    )


def test_a_config_budget_past_any_size_as_an_integer_says_it_is_too_large(
    tmp_path: Path,
) -> None:
    (tmp_path / "logtrim.toml").write_text("budget = 99999999999999999999999\n")
    result = _run(["run", "--", "true"], tmp_path)
    assert result.returncode == 2
    assert b"(too large: at most 8 EiB" in result.stderr
    assert result.stderr.count(b"\n") == 1


def test_a_posix_class_is_refused_and_a_nested_bracket_is_quiet(tmp_path: Path) -> None:
    """``[[:alpha:]]`` (grep's, not Python's) is a usage error saying so, not a
    FutureWarning with a path into site-packages; ``[[]`` (a bracket) is a pattern."""
    result = _run(["run", "--keep", "[[:alpha:]]", "--", "true"], tmp_path)
    assert result.returncode == 2
    assert result.stderr.count(b"\n") == 1
    assert b"no POSIX classes" in result.stderr
    result = _run(["run", "--artifact", "k.zst", "--keep", "[[]", "--", "echo", "[x"], tmp_path)
    assert result.returncode == 0
    assert b"Warning" not in result.stderr


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "--keep", "x{99999999999}", "--", "sh", "-c", "echo ran > ran"],
        ["run", "--drop", "(" * 1000 + "x" + ")" * 1000, "--", "sh", "-c", "echo ran > ran"],
        ["trim", "--keep", "x{99999999999}", "in.log", "-o", "-"],
        ["cat", "--grep", "x{99999999999}", "in.log"],
    ],
)
def test_a_pattern_re_cannot_compile_for_its_size_is_a_bad_pattern(
    tmp_path: Path, argv: list[str]
) -> None:
    """A repeat count past 2**32 - 1 or nesting too deep raises no ``re.error``: it is a
    bad pattern all the same, exit 2 before the step starts (``run`` had taken it for a
    bug of its own and run the step without its archive)."""
    (tmp_path / "in.log").write_text("hello\n")
    result = _run(argv, tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count(b"\n") == 1
    assert b"regular expression" in result.stderr or b"bad --grep regex" in result.stderr
    assert not (tmp_path / "ran").exists()


def test_a_mistyped_testing_hook_never_keeps_the_step_from_running(tmp_path: Path) -> None:
    """``LOGTRIM_FAULT_AFTER=abc`` was an internal error (exit 1) before the step started:
    a hook that is not a whole number is no hook."""
    argv = ["run", "--artifact", str(tmp_path / "a.zst"), "--", "sh", "-c", "echo ran; exit 5"]
    result = _run(argv, tmp_path, {"LOGTRIM_FAULT_AFTER": "abc", "LOGTRIM_FAULT_SCANNER": "x"})
    assert result.returncode == 5, result.stderr
    assert b"ran\n" in result.stdout


@pytest.mark.parametrize(
    ("config", "args"),
    [
        ("mask-env = ['DEPLOY_SECRET']\n", ["--history", "/nonexist/{s}/h"]),
        ("mask-env = ['DEPLOY_SECRET']\nbogus-{s} = 1\n", []),
        ("mask-env = 'DEPLOY_SECRET'\n", ["--keep", "({s}"]),
        ("[logtrim]\nmask-env = ['DEPLOY_SECRET']\n", ["--budget", "{s}"]),
        # The option parser's own errors (typer's), before any setting is read.
        ("mask-env = ['DEPLOY_SECRET']\n", ["--grace", "{s}"]),
        ("mask-env = ['DEPLOY_SECRET']\n", ["--{s}"]),
    ],
)
def test_a_config_file_s_mask_env_masks_logtrim_s_own_errors(
    tmp_path: Path, config: str, args: list[str]
) -> None:
    """``--mask-env`` and ``LOGTRIM_MASK_ENV`` masked a bad setting's error from the first
    one; the config file's ``mask-env`` did not (its secret was printed as written), also
    when the error is in that file."""
    secret = "TopSecretVal99"
    (tmp_path / "logtrim.toml").write_text(config.format(s=secret))
    argv = ["run", "--artifact", "a.zst", *(a.format(s=secret) for a in args), "--", "true"]
    result = _run(argv, tmp_path, env={"DEPLOY_SECRET": secret})
    assert result.returncode == 2
    assert result.stderr.startswith(b"logtrim: error: ")
    assert secret.encode() not in result.stderr and b"********" in result.stderr


@pytest.mark.parametrize("where", ["option", "variable", "file"])
def test_an_unset_mask_env_name_is_a_warning_wherever_named(tmp_path: Path, where: str) -> None:
    """A name to mask whose variable is unset (a typo would leave the secret unmasked) is a
    warning that names it, said alike wherever the name came from: it said ``--mask-env``
    when the name came from ``LOGTRIM_MASK_ENV`` or the config file."""
    args = ["run", "--artifact", str(tmp_path / "a.zst")]
    env = {}
    if where == "option":
        args += ["--mask-env", "DB_PASSWROD"]
    elif where == "variable":
        env["LOGTRIM_MASK_ENV"] = "DB_PASSWROD"
    else:
        (tmp_path / "logtrim.toml").write_text('mask-env = ["DB_PASSWROD"]\n')
    result = _run([*args, "--", "true"], tmp_path, env=env)
    assert result.returncode == 0
    assert b"logtrim: warning: mask-env names DB_PASSWROD, which is unset or empty\n" in (
        result.stderr
    )


def test_verbose_names_the_config_files_read(tmp_path: Path) -> None:
    """``-v`` says which config files were read (it said nothing: a user could not tell
    whether ``logtrim.toml`` or ``pyproject.toml`` applied)."""
    (tmp_path / "logtrim.toml").write_text('budget = "5MB"\n')
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    result = _run(["run", "-v", "--artifact", str(tmp_path / "a.zst"), "--", "true"], tmp_path)
    assert result.returncode == 0
    read = [str(tmp_path / "pyproject.toml"), str(tmp_path / "logtrim.toml")]
    assert f"logtrim: debug: config files (read={read!r})\n".encode() in result.stderr


@pytest.mark.parametrize(("size", "unit"), [("5", "MB"), ("5000", "kB"), ("1.5", "MiB")])
def test_a_budget_with_a_space_before_its_unit_is_said_so(
    tmp_path: Path, size: str, unit: str
) -> None:
    """``--budget 5 MB``: the unit became the command; it was said as a budget under 2 kB, or
    as a command ``kB`` not found. The one-line error says what happened and what to write."""
    result = _run(["run", "--budget", size, unit, "--", "true"], tmp_path)
    assert result.returncode == 2
    said = f"--budget {size} {unit}: the unit is read as the command to run; "
    assert result.stderr == f"logtrim: error: {said}write --budget {size}{unit}\n".encode()
    assert list(tmp_path.iterdir()) == []  # nothing ran, no archive


@pytest.mark.parametrize(
    ("args", "then"),
    [(["trim", "--budget", "5", "MB", "a.log"], "an input"),
     (["trim", "--budget", "5000", "kB", "a.log"], "an input"),
     (["diff", "--budget", "20", "MB", "a.log", "a.log"], "GOOD")],
)  # fmt: skip
def test_a_budget_with_a_space_before_its_unit_is_said_so_after_the_fact(
    tmp_path: Path, args: list[str], then: str
) -> None:
    """``trim --budget 5 MB``: the unit became an input (``at least 2 kB``, or ``several inputs
    need -o DIR``), and ``diff``'s an unexpected extra argument: said as ``run`` says it."""
    (tmp_path / "a.log").write_bytes(b"deploy ok\n")
    result = _run(args, tmp_path)
    assert result.returncode == 2
    size, unit = args[2], args[3]
    said = f"--budget {size} {unit}: the unit is read as {then}; write --budget {size}{unit}"
    assert result.stderr == f"logtrim: error: {said}\n".encode()


def test_a_command_named_like_a_one_letter_unit_runs(tmp_path: Path) -> None:
    """``--budget 100000 -- k get pods``: ``k`` (kubectl's alias) is a command, not a unit."""
    (tmp_path / "k").write_text('#!/bin/sh\necho ran k "$@"\n')
    (tmp_path / "k").chmod(0o755)
    path = f"{tmp_path}{os.pathsep}{os.environ['PATH']}"
    result = _run(["run", "--budget", "100000", "--", "k", "get", "pods"], tmp_path, {"PATH": path})
    assert result.returncode == 0, result.stderr
    assert b"ran k get pods" in result.stdout
