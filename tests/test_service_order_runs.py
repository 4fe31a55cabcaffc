"""Service messages with real children: progress of several systems, their order among the
lines of their stream, and logtrim's own lines after a line the child has not ended yet."""

from __future__ import annotations

import re

import pytest
from conftest import RunLogtrim, py
from octopus_decoder import messages

from logtrim._sizes import format_size

#: A child that writes a flood of progress, Octopus's and another system's in turn, as fast
#: as it can (the throttle thins it), then nothing more.
FLOOD = """
import base64, sys
def octopus(p):
    percent = base64.b64encode(str(p).encode()).decode()
    return "##octopus[progress percentage='%s' message='eA==']" % percent
other = {
    "azure": "##vso[task.setprogress value=%d;]step %d",
    "teamcity": "##teamcity[progressMessage 'step %d of %d']",
}[sys.argv[1]]
for p in range(101):
    print(other % (p, p), flush=True)
    print(octopus(p), flush=True)
"""


@pytest.mark.parametrize("ci", ["azure", "teamcity"])
def test_the_latest_progress_of_each_system_arrives(run_logtrim: RunLogtrim, ci: str) -> None:
    """Progress commands of two systems do not replace each other: the last of each reaches
    the console, after the others of its system."""
    result = run_logtrim("--ci", ci, "--", *py(FLOOD), ci)
    assert result.code == 0
    written = result.archive.splitlines()
    other = [line for line in written if not line.startswith(b"##octopus[")]
    shown = result.stdout.splitlines()
    assert other[-1] in shown  # this system's own bar ends at 100
    assert [m.attrs["percentage"] for m in messages(result.stdout) if m.name == "progress"][
        -1
    ] == "100"
    # Each system's messages in the order written.
    of_other = [line for line in shown if line in other]
    assert of_other == sorted(of_other, key=other.index)


#: A child whose progress messages wait (throttled) between lines shown.
STEPS = """
import base64, os, sys, time
b = lambda s: base64.b64encode(s.encode()).decode()
line = sys.argv[1]
word = lambda i: "".join(chr(97 + int(d)) for d in str(i))  # no two alike, even as templates
for i in range(30):
    os.write(1, (line % word(i) + "\\n").encode())
    if i % 5 == 1:
        message = (b(str(i)), b(f"step {i}"))
        os.write(1, ("##octopus[progress percentage='%s' message='%s']\\n" % message).encode())
    time.sleep(0.01)
"""


@pytest.mark.parametrize(
    ("line", "options"),
    [
        ("noise %s", []),  # a small run, shown whole
        ("Deployed %s to prod", ["--verbatim", "0"]),  # info lines, filtered
    ],
)
def test_a_waiting_progress_message_comes_before_the_later_lines(
    run_logtrim: RunLogtrim, line: str, options: list[str]
) -> None:
    """A progress message that waits is printed before the next line of its stream, or
    not at all: the child's lines on the console keep the order they were written in."""
    result = run_logtrim("--ci", "octopus", *options, "--", *py(STEPS), line)
    written = result.archive.splitlines()
    shown = [x for x in result.stdout.splitlines() if x in written]
    assert any(x.startswith(b"##octopus[progress") for x in shown)
    assert shown == sorted(shown, key=written.index)
    assert written[-1] in shown


@pytest.mark.parametrize("ci", ["octopus", "plain"])
def test_own_lines_start_a_line_after_a_line_not_ended(run_logtrim: RunLogtrim, ci: str) -> None:
    """The start of a child's line is on the console while it works: logtrim's own lines
    (the heartbeat, level switches, the closing lines) start a line of their own, and the
    heartbeat counts what was written and shown. The archive has the line whole."""
    first, start = "##octopus[stdout-warning]\n", "Working... "
    code = (
        f"import sys, time\nsys.stdout.write({first!r}); sys.stdout.write({start!r})\n"
        "sys.stdout.flush(); time.sleep(2.5); print('done')"
    )
    result = run_logtrim("--ci", ci, "--heartbeat", "1", "--", *py(code))
    assert result.code == 0
    assert result.archive == (first + start + "done\n").encode()
    lines = result.stdout.decode().splitlines()
    for text in lines:
        for marker in ("##octopus[", "[logtrim] "):
            assert marker not in text or text.startswith(marker), lines
    beat = next(text for text in lines if "still running" in text)
    size = format_size(len(first) + len(start))
    assert re.search(rf": 2 lines \({re.escape(size)}\) so far, 100\.0% shown$", beat), beat


def test_the_heartbeat_of_a_waiting_step_says_what_it_waits_for(run_logtrim: RunLogtrim) -> None:
    """Past its first lines the budget filters: the line the step printed before it went quiet
    is held (an error's context, should one come), and the heartbeat quotes it."""
    code = (
        "import sys, time\nfor i in range(40): print(f'uploading chunk {i} of 40')\n"
        "print('Waiting for CDN invalidation', flush=True); time.sleep(2.5); sys.exit(1)"
    )
    result = run_logtrim("--budget", "4kB", "--heartbeat", "1", "--", *py(code))
    assert result.code == 1
    lines = result.stdout.decode().splitlines()
    beat = next(text for text in lines if "still running" in text)
    assert beat.endswith("; the last line: Waiting for CDN invalidation"), lines


#: A set -e deploy step: a flood under stdout-verbose, migrations reported as progress (they
#: wait, throttled), a variable set, then the failure on stderr.
MIGRATIONS = """
import base64, sys, time
b = lambda s: base64.b64encode(s.encode()).decode()
print("##octopus[stdout-verbose]")
for i in range(3000):
    print(f"rsync: sending file src/module_{i}/index.js ({i * 37} bytes)")
print("##octopus[stdout-default]")
print("Running migrations", flush=True)
for i in range(1, 21):
    print(f"[{i}/20] migration 2024_{i}", flush=True)
    time.sleep(0.01)
print(f"##octopus[setVariable name='{b('Result')}' value='{b('partial')}']", flush=True)
sys.stderr.write('psql: error: connection to server at "db" failed: FATAL: password\\n')
sys.exit(2)
"""


def test_a_waiting_progress_line_comes_after_the_marker_of_the_lines_before_it(
    run_logtrim: RunLogtrim,
) -> None:
    """The console reads in the order written: the marker of the migrations a waiting one
    replaced comes before it (not after it), and logtrim's own progress message of that
    state comes before the next line of stdout (the setVariable), not at the end."""
    result = run_logtrim("--ci", "octopus", "--budget", "20kB", "--", *py(MIGRATIONS))
    assert result.code == 2
    lines = result.stdout.splitlines()
    shown = [i for i, line in enumerate(lines) if re.match(rb"\[\d+/20\] ", line)]
    numbers = [int(lines[i][1:].split(b"/")[0]) for i in shown]
    assert numbers[-1] == 20  # the final state
    for k in range(len(shown) - 1):
        (at, later), (number, following) = shown[k : k + 2], numbers[k : k + 2]
        between = b"\n".join(lines[at + 1 : later])
        counted = re.findall(rb"\.\.\. (\d+) lines? \(.*\) not shown \.\.\.", between)
        assert [int(c) for c in counted] == (
            [following - number - 1] if following > number + 1 else []
        )
    variable = next(i for i, line in enumerate(lines) if line.startswith(b"##octopus[setVariable"))
    assert b"not shown" not in b"\n".join(lines[shown[-1] : variable])  # none written between
    progress = [i for i, line in enumerate(lines) if line.startswith(b"##octopus[progress")]
    assert shown[-1] < progress[-1] < variable  # after the line it summarises, before the next
    percents = [m.attrs["percentage"] for m in messages(result.stdout) if m.name == "progress"]
    assert percents[-1] == "100"


#: A message over two lines with a pause inside it (its value computed meanwhile).
OPEN_MESSAGE = """
import sys, time
print("##octopus[setVariable name='UmVzdWx0'", flush=True)
time.sleep(2.5)
print(" value='b2s=']", flush=True)
print("deployed", flush=True)
"""


def test_no_own_line_inside_a_message_over_several_lines(run_logtrim: RunLogtrim) -> None:
    """Calamari reads a message up to its first ']': the heartbeat (or any line of
    logtrim's) printed between its lines would end it at ``[logtrim]``. Its lines wait
    whole; a message the command leaves open at its exit is ended by one line of ours
    before the closing lines."""
    result = run_logtrim("--ci", "octopus", "--heartbeat", "1", "--", *py(OPEN_MESSAGE))
    assert result.code == 0
    lines = result.stdout.decode().splitlines()
    first = lines.index("##octopus[setVariable name='UmVzdWx0'")
    assert lines[first + 1] == " value='b2s=']", lines
    # The heartbeat came while the message was open: before it (its lines wait whole, for
    # what they declare) or after it, never between its lines.
    assert any("still running" in line for line in lines), lines
    # Its two lines are seen as what they are shown as (was "2/1": shown more than seen).
    assert "service messages 2/2" in result.stdout.decode()
    opened = OPEN_MESSAGE.split("time.sleep", maxsplit=1)[0]
    left_open = run_logtrim("--ci", "octopus", "--", *py(opened))
    lines = left_open.stdout.decode().splitlines()
    first = lines.index("##octopus[setVariable name='UmVzdWx0'")
    assert lines[first + 1] == "[logtrim] the command's service message left open ends here"
    assert lines[first + 2].startswith("[logtrim] 1 line")


#: Progress among long lines, then an error whose context the budget cuts: the lines left out
#: of it come back after the failure, and a progress command among them must not.
CUT_CONTEXT = """
import base64, sys
b = lambda s: base64.b64encode(s.encode()).decode()
form = {
    "octopus": lambda i: "##octopus[progress percentage='%s' message='%s']"
    % (b(str(i)), b("step %d" % i)),
    "teamcity": lambda i: "##teamcity[progressMessage 'step %d']" % i,
    "azure": lambda i: "##vso[task.setprogress value=%d;]step %d" % (i, i),
}[sys.argv[1]]
for i in range(101):
    print(form(i))
    print("x" * 200)
print("ERROR done")
sys.exit(2)
"""


@pytest.mark.parametrize("ci", ["octopus", "teamcity", "azure"])
def test_no_progress_command_is_sent_again_after_later_ones(
    run_logtrim: RunLogtrim, ci: str
) -> None:
    """Each progress command on the console is the child's, once, in its order: the bar
    ends at 100, not at a throttled 99 replayed with the error's held-back context."""
    result = run_logtrim("--ci", ci, "--budget", "3kB", "--", *py(CUT_CONTEXT), ci)
    assert result.code == 2
    marker = {"octopus": b"##octopus[progress", "teamcity": b"progressMessage",
              "azure": b"setprogress"}[ci]  # fmt: skip
    written = [ln for ln in result.archive.splitlines() if marker in ln]
    shown = [ln for ln in result.stdout.splitlines() if marker in ln]
    assert shown and shown[-1] == written[-1]
    order = [written.index(ln) for ln in shown]
    assert order == sorted(set(order)), shown


# Each command after 3,000 lines of noise, so that a 2 kB console has long had no room.
_GROUPS = {
    # GitLab's section markers start with their erase code: it is the command's, not text.
    "gitlab": (
        "sys.stdout.write('\\x1b[0Ksection_start:1700000000:build%d[collapsed=true]"
        "\\r\\x1b[0KBuild %d\\n' % (i, i))\n"
        "sys.stdout.write('\\x1b[0Ksection_end:1700000001:build%d\\r\\x1b[0K\\n' % i)\n"
    ),
    # Azure's agent ends a line at a lone \r: a formatting command after one is a command.
    "azure": (
        "sys.stdout.write('Downloading 100%%\\r##[group]Stage %d\\n' % i)\n"
        "sys.stdout.write('Downloading 100%\\r##[endgroup]\\n')\n"
    ),
}


@pytest.mark.parametrize("ci", sorted(_GROUPS))
def test_group_commands_pass_whole_past_the_budget(run_logtrim: RunLogtrim, ci: str) -> None:
    """Before, GitLab's markers lost their leading ``\\x1b[0K`` once the budget was spent
    (taken for text before the command), and Azure's ``##[group]`` after a ``\\r`` was read
    as a detail line and dropped (7 of 8)."""
    child = (
        "import sys\nfor i in range(1, 5):\n"
        "    sys.stdout.write(''.join(f'DEBUG copying file number {n}\\n' for n in range(3000)))\n"
        + "".join("    " + line + "\n" for line in _GROUPS[ci].splitlines())
    )
    result = run_logtrim("--ci", ci, "--budget", "2kB", "--", *py(child))
    assert result.code == 0
    marker = b"section_" if ci == "gitlab" else b"##["
    written = [line for line in result.archive.splitlines() if marker in line]
    shown = [line for line in result.stdout.splitlines() if marker in line]
    assert len(written) == 8
    if ci == "gitlab":
        assert shown == written  # byte for byte, erase codes and all
    else:  # the text before the \r is text, past the budget; the commands pass as written
        assert [line.rsplit(b"\r", 1)[-1] for line in shown] == [
            line.rsplit(b"\r", 1)[-1] for line in written
        ]
