"""A declared secret is masked in its own declaration, whatever the reads and the pauses.

A child declares a secret (GitHub ``add-mask``, Azure ``setsecret``/``issecret``, Octopus
``setVariable ... sensitive`` on one line or over several): the archive never holds the value
in any form, nor does the console, but for the declaring command of the CI in use (its server
needs the value). ``print()`` writes a message and then its newline alone; a multi-line
Octopus message whose ``]`` line ended in a later read kept its value line in clear.
"""

from __future__ import annotations

import base64
import io
import logging
from pathlib import Path

from conftest import RunLogtrim, examples, feed_chunks, py, split, zstd_dc
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from logtrim import LogtrimHandler
from logtrim.dialects import DIALECTS
from logtrim.engine.core import STDOUT, Core
from logtrim.engine.masking.forms import base64_forms
from logtrim.engine.policy import Policy

PROPERTY = settings(
    max_examples=examples(300),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
SECRET = "MultiLineSecret-A1"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def declarations(secret: str) -> dict[str, tuple[str, str]]:
    """Each declaration form, by name: (the CI it declares to, its text)."""
    v, n, t = b64(secret), b64("A"), b64("True")
    set_var = f"##octopus[setVariable name='{n}'"
    return {
        "octopus-3-lines": ("octopus", f"{set_var}\nvalue='{v}'\nsensitive='{t}']\n"),
        "octopus-indented": ("octopus", f"{set_var}\n  value='{v}' sensitive='{t}']\n"),
        "octopus-bracket-last": ("octopus", f"{set_var} value='{v}'\nsensitive='{t}'\n]\n"),
        "octopus-mask": ("octopus", f"##octopus[mask value='{v}'\n]\n"),
        "octopus-one-line": ("octopus", f"{set_var} value='{v}' sensitive='{t}']\n"),
        "github": ("github", f"::add-mask::{secret}\n"),
        "github-old": ("github", f"##[add-mask]{secret}\n"),
        "azure-setsecret": ("azure", f"##vso[task.setsecret]{secret}\n"),
        "azure-issecret": ("azure", f"##vso[task.setvariable variable=x;issecret=true]{secret}\n"),
    }


FORMS = sorted(declarations(SECRET))


def forms(secret: str) -> list[bytes]:
    raw = secret.encode()
    return [raw, *base64_forms(raw)]


def run_core(ci: str, data: bytes, cuts: list[int], pauses: list[bool]) -> tuple[bytes, bytes]:
    """(archive, console) of ``data`` written on stdout in the chunks ``cuts`` make, time
    passing after the chunks ``pauses`` say (a partial line may be shown then)."""
    core = Core(Policy(budget=1 << 20), DIALECTS[ci]())
    archive, console, now = feed_chunks(core, split(data, cuts), pauses, 1.0)
    arch, emits = core.finish_input(now)
    console += emits
    emits, _ = core.close(0, now + 1.0)
    console += emits
    return b"".join([*archive, arch]), b"".join(d for _, d in console)


@PROPERTY
@given(
    st.text(alphabet="abcXYZ0123-_", min_size=6, max_size=24),
    st.sampled_from(FORMS),
    st.sampled_from(sorted(DIALECTS)),
    st.lists(st.integers(min_value=0), max_size=8),
    st.lists(st.booleans(), max_size=8),
)
# The tester's case: the closing line's newline in a later read.
@example(SECRET, "octopus-3-lines", "github", [-2], [True])
@example(SECRET, "octopus-3-lines", "octopus", [-2], [True])
def test_declaration_masked_whatever_the_reads(
    secret: str, form: str, ci: str, cuts: list[int], pauses: list[bool]
) -> None:
    declares_to, declaration = declarations(secret)[form]
    data = b"before\n" + declaration.encode() + f"uses {secret}\n".encode() + b"after\n"
    cuts = [c % (len(data) + 1) if c >= 0 else len(data) + c for c in cuts]
    archive, console = run_core(ci, data, cuts, pauses)
    if declares_to == ci:  # the command passes as written: the console keeps its line(s)
        console = console.replace(declaration.encode(), b"")
    for form_bytes in forms(secret):
        assert form_bytes not in archive, (form_bytes, archive)
        assert form_bytes not in console, (form_bytes, console)
    assert b"uses ********" in archive


def test_open_message_is_held_a_bounded_number_of_lines() -> None:
    """A marker in text that never closes holds its lines back, but at most as many as a
    message is read over: the lines after them go on as they come."""
    core = Core(Policy(budget=1 << 20), DIALECTS["plain"]())
    opener = b"see ##octopus[ docs\n"
    archive, _ = core.feed(STDOUT, opener + b"line\n" * 10, 0.0)
    assert archive == b""  # the message may still declare a secret
    lines = b"".join(b"line %d\n" % i for i in range(100))
    archive, _ = core.feed(STDOUT, lines, 0.1)
    assert archive == opener + b"line\n" * 10 + lines


def test_multiline_declaration_newline_in_later_write(run_logtrim: RunLogtrim) -> None:
    """The tester's repro: ``printf msg; sleep; printf '\\n'`` from a real child."""
    n, v, t = b64("A"), b64(SECRET), b64("True")
    script = (
        f"printf \"##octopus[setVariable name='{n}'\\nvalue='{v}'\\nsensitive='{t}']\"; "
        f"sleep 0.2; printf '\\n'; echo 'uses {SECRET}'"
    )
    for ci in ("octopus", "plain", "github"):
        result = run_logtrim("--ci", ci, "--", "bash", "-c", script)
        assert result.code == 0
        assert v.encode() not in result.archive, ci
        assert b"value='********'" in result.archive
        assert b"uses ********" in result.archive
        if ci != "octopus":  # Octopus needs the value in its own message
            assert v.encode() not in result.stdout, ci
            assert b"uses ********" in result.stdout


def test_multiline_declaration_over_handler_records(tmp_path: Path) -> None:
    """The handler: a message logged one line per record, its secret declared in the last."""
    console = io.StringIO()
    path = tmp_path / "app.log.zst"
    handler = LogtrimHandler(path, ci="github", stream=console)
    log = logging.getLogger("declaration-records")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    try:
        n, v, t = b64("A"), b64(SECRET), b64("True")
        for line in (f"##octopus[setVariable name='{n}'", f"value='{v}'", f"sensitive='{t}']"):
            log.info(line)
        log.info("uses %s", SECRET)
    finally:
        log.removeHandler(handler)
        handler.close()
    archive = zstd_dc(path)
    for form in forms(SECRET):
        assert form not in archive
        assert form.decode() not in console.getvalue()
    assert b"uses ********" in archive


def test_secret_over_lines_before_an_open_message(run_logtrim: RunLogtrim) -> None:
    """A secret over two lines whose second line opens an Octopus message: the message's
    lines wait for their end, and the secret is masked whole all the same."""
    script = "printf 'token abc\\ndef##octopus[ see docs\\nrest\\n'"
    for ci in ("octopus", "azure", "plain"):
        result = run_logtrim("--ci", ci, "--mask", "abc\ndef", "--", "bash", "-c", script)
        assert result.code == 0
        for text in (result.archive, result.stdout):
            assert b"abc" not in text and b"def##" not in text, (ci, text)
        assert b"token ********\n********##octopus[ see docs\nrest\n" in result.archive


def test_a_declaration_after_its_line_s_start_was_shown_reaches_the_ci_as_written(
    run_logtrim: RunLogtrim,
) -> None:
    """A script prints the start of a line, pauses (the start is shown), then a declaring
    command on the same line (``printf 'setting '``, ``Write-Host -NoNewline``): the CI reads
    the line whole, so the command goes on as written: masked, it would set ``********``."""
    secret = "Azv4lue98x"
    command = f"##vso[task.setvariable variable=DBPW;issecret=true]{secret}"
    code = (
        "import sys, time\n"
        "sys.stdout.write('setting '); sys.stdout.flush(); time.sleep(0.4)\n"
        f"print({command!r}, flush=True)\n"
        f"print('using {secret}')\n"
    )
    r = run_logtrim("--ci", "azure", "--", *py(code))
    assert r.code == 0
    assert f"setting {command}\n".encode() in r.stdout
    assert b"using ********\n" in r.stdout
    assert secret.encode() not in r.archive


def test_a_report_reads_a_message_open_across_its_chunks(tmp_path: Path) -> None:
    """``cat``, ``diff`` and ``trim`` of a compressed log read it 1 MiB at a time: an Octopus
    ``setVariable`` whose ``sensitive`` line fell in the next chunk was never learned, and
    its value was printed, in the message and where the log used it."""
    import gzip
    import subprocess
    import sys

    from conftest import clean_env

    secret = "Zebra-Secret-9931"
    enc = base64.b64encode(secret.encode()).decode()
    message = [f"##octopus[setVariable name='WA==' value='{enc}'"]
    message += [f"a{i}='eA=='" for i in range(20)] + ["sensitive='VHJ1ZQ==']"]
    filler = "filler line of ordinary text ......................................\n"
    room = (1 << 20) - len(message[0]) - 1  # the opener ends the first MiB, the rest after
    head = filler * (room // len(filler)) + "x" * (room % len(filler) - 1) + "\n"
    log = head + "".join(line + "\n" for line in message) + f"login with {secret} now\n"
    (tmp_path / "bad.log.gz").write_bytes(gzip.compress(log.encode()))
    (tmp_path / "good.log").write_text("filler line\n")
    for command in (["cat", "bad.log.gz"], ["diff", "good.log", "bad.log.gz"],
                    ["trim", "bad.log.gz", "-o", "-"], ["cat", "-"]):  # fmt: skip
        proc = subprocess.run(
            [sys.executable, "-m", "logtrim", *command], cwd=tmp_path, env=clean_env(),
            input=log.encode(), capture_output=True, timeout=120, check=False,
        )  # fmt: skip
        assert proc.returncode == 0, (command, proc.stderr)
        assert secret.encode() not in proc.stdout and enc.encode() not in proc.stdout, command
