"""A budget of a few lines: its bytes go to the failure, and the closing lines still fit."""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

import pytest
from conftest import RunLogtrim, examples, py
from hypothesis import given, settings
from hypothesis import strategies as st
from test_engine import drive

from logtrim._matchers import compiler
from logtrim.engine.core import STDOUT, Core
from logtrim.engine.ending.failure import TailLine, pick
from logtrim.engine.match.kinds import Kind
from logtrim.engine.match.matcher import Matcher
from logtrim.engine.policy import COMPACT_BELOW, MIN_BUDGET, TINY_BELOW, Policy

_SUMMARY = re.compile(rb"^\[logtrim\] [\d,]+ lines? \(.*; shown [\d,]+ lines? ", re.M)

_WORDS = ("alpha", "bravo", "charlie", "delta")


def _log(rng: random.Random, count: int) -> bytes:
    """A build's lines: mostly info, some warnings, errors and stack frames, of many lengths
    (the tail then fills its room to within a few bytes, as real ones do)."""
    out = []
    for i in range(count):
        word, kind = rng.choice(_WORDS) * rng.randrange(1, 12), rng.random()
        if kind < 0.05:
            out.append(f"ERROR: step {word} failed {i}\n")
        elif kind < 0.1:
            out.append(f'  File "/srv/{word}.py", line {i}, in run\n')
        elif kind < 0.2:
            out.append(f"WARNING: {word} is slow\n")
        else:
            out.append(f"INFO copying {word} {i}\n")
    return "".join(out).encode()


@settings(max_examples=examples(100), deadline=None)
@given(
    budget=st.integers(MIN_BUDGET, COMPACT_BELOW // 3),
    rng=st.randoms(use_true_random=False),
    count=st.integers(50, 800),
    code=st.integers(1, 255),
)
def test_a_failed_run_keeps_its_summary_within_the_budget(
    budget: int, rng: random.Random, count: int, code: int
) -> None:
    """The failure tail fills the room left before the closing lines; the summary's counts
    grow by the lines it showed, yet the summary is still printed, and the console fits."""
    core = Core(Policy(budget=budget))
    _, out = drive(core, [(STDOUT, _log(rng, count), 0.0)], exit_code=code)
    console = out[STDOUT] + b"".join(v for k, v in out.items() if k != STDOUT)
    assert len(console) <= budget
    assert _SUMMARY.search(console), console[-600:]


_BUILD = py(
    "import sys\n"
    "for i in range(300): print(f'2024-05-01 10:00:{i % 60:02d} INFO copying part {i} of 300')\n"
    "words = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel']\n"
    "for i in range(64):\n"
    "    w = words[i % 8] + ' ' + words[i // 8]\n"
    "    print(f'2024-05-01 10:01:{i % 60:02d} WARNING: cache miss for module {w}')\n"
    "print('Traceback (most recent call last):')\n"
    "print('  File \"/srv/build/step.py\", line 12, in main')\n"
    "print('OSError: [Errno 28] No space left on device')\n"
    "for i in range(200): print(f'2024-05-01 10:02:{i % 60:02d} INFO cleanup {i}')\n"
    "print('ERROR: build failed')\n"
    "sys.exit(3)\n"
)


def test_a_tiny_budget_spends_no_line_on_why_a_lower_tier_stopped(
    run_logtrim: RunLogtrim,
) -> None:
    """Below TINY_BELOW, the gap markers say where lines are left out and the error tier's
    note says errors are held for the end; what a lower tier's stop or the verbatim
    allowance's end would say costs a line of the failure, and is left out. Above it, the
    notes are printed."""
    tiny = run_logtrim("--budget", str(TINY_BELOW - 1000), "--", *_BUILD)
    assert tiny.code == 3
    assert len(tiny.console) <= TINY_BELOW - 1000
    assert b"warning lines are no longer shown" not in tiny.console
    assert b"output passed" not in tiny.console
    assert b"not shown ..." in tiny.console
    assert b"OSError: [Errno 28] No space left on device" in tiny.console
    assert _SUMMARY.search(tiny.stdout)
    roomy = run_logtrim("--budget", str(TINY_BELOW + 2000), "--", *_BUILD)
    assert roomy.code == 3
    assert b"warning lines are no longer shown" in roomy.console
    assert b"output passed" in roomy.console


def _after(lineno: int, text: str, incident: int) -> TailLine:
    return TailLine(lineno, STDOUT, text.encode() + b"\n", True, incident, False)


def test_when_the_lines_after_errors_do_not_all_fit_the_short_ones_go_first() -> None:
    """The lines after each error take turns, one per error; when a turn does not all fit,
    its short lines are shown before a long one: more of what followed the errors (here
    three short lines rather than the long one and one short)."""
    lines: list[TailLine] = []
    for n, step in ((10, "upload"), (20, "verify"), (30, "notify")):
        lines.append(TailLine(n, STDOUT, f"ERROR: {step} failed\n".encode(), True, n, True))
        lines.append(_after(n + 1, f"{step}: retrying in 5s", n))
    lines.append(TailLine(100, STDOUT, b"ERROR: deploy failed\n", True, 100, True))
    long = _after(101, "rollback: " + "x" * 200, 100)
    lines += [long, TailLine(200, STDOUT, b"done\n")]
    short = len(lines[1].text)
    room = sum(len(ln.text) for ln in lines if ln.cont or ln.lineno == 200) + len(long.text)
    picked = {line.lineno for line in pick(lines, room + short, last=1)}
    assert {11, 21, 31} <= picked


def test_a_trace_shown_live_ends_with_its_exception(
    run_logtrim: RunLogtrim, tmp_path: Path
) -> None:
    """At 4 kB the live room ran out on a traceback's last line: its frames were shown, then
    logtrim's notes, then the exception line in the tail, apart from its trace. The line
    that closes the frames is the end of the same trace, shown with it."""
    code = (
        "import logging, sys\n"
        "logging.basicConfig(level=logging.DEBUG, stream=sys.stdout,\n"
        "                    format='%(asctime)s %(levelname)-8s %(name)s: %(message)s')\n"
        "log = logging.getLogger('deploy')\n"
        "log.info('Deploying shop-api 4.12.0 to Production')\n"
        "for i in range(2000):\n"
        "    log.debug('copy file %d -> /var/www/shop/%d.dll', i, i)\n"
        "    if i % 400 == 0:\n"
        "        log.info('Copied %d of 2000 files', i)\n"
        "log.warning('certificate expires in 21 days')\n"
        "try:\n    int('forty-two')\n"
        "except ValueError:\n    log.exception('parsing replica count failed; using default 3')\n"
        "def deploy():\n    raise ConnectionError('db-02 refused connection on port 5432')\n"
        "try:\n    deploy()\n"
        "except Exception:\n    log.exception('deployment failed')\n    sys.exit(3)\n"
    )
    app = tmp_path / "app.py"  # (a file: the frames show their source lines)
    app.write_text(code)
    r = run_logtrim("--ci", "plain", "--budget", "4kB", "--", sys.executable, str(app))
    assert r.code == 3 and len(r.console) <= 4000
    lines = r.stdout.decode().splitlines()
    at = lines.index("ConnectionError: db-02 refused connection on port 5432")
    assert lines[at - 1] == "    raise ConnectionError('db-02 refused connection on port 5432')"
    assert "invalid literal for int() with base 10: 'forty-two'" in r.stdout.decode()


def test_no_tail_header_over_lines_that_show_nothing(run_logtrim: RunLogtrim) -> None:
    """Maven ends on stderr with a colour reset and no newline: the tail printed its header
    over that line alone, which shows nothing."""
    code = (
        "import sys, time\n"
        "for i in range(300):\n"
        "    print(f'[INFO] compiling module {i} into target/classes/module{i}.class')\n"
        "print('[ERROR] BUILD FAILURE: module 299 did not compile', flush=True)\n"
        "time.sleep(0.3)\n"
        "sys.stderr.write('\\x1b[0m\\x1b[0m')\n"
        "sys.exit(1)\n"
    )
    r = run_logtrim("--ci", "plain", "--budget", "4kB", "--", *py(code))
    assert r.code == 1
    assert b"[ERROR] BUILD FAILURE: module 299 did not compile" in r.stdout
    assert b"--- last" not in r.console


@pytest.mark.parametrize(("depth", "budget"), [(80, "3kB"), (150, "2kB"), (80, "4kB")])
def test_a_long_trace_keeps_its_exception_at_a_small_budget(
    run_logtrim: RunLogtrim, tmp_path: Path, depth: int, budget: str
) -> None:
    """A traceback of 80-150 frames at 2-4 kB: its oldest frames took the room of the failure
    reason's block, and its exception line, the line the reason names, was on no console
    but the ``failed`` line."""
    module = "def f0():\n    raise ValueError('the live exception that matters')\n" + "".join(
        f"def f{k}():\n    return f{k - 1}()  # frame {k}\n" for k in range(1, depth)
    )
    (tmp_path / "genmod.py").write_text(module)
    app = tmp_path / "app.py"
    app.write_text(
        "import sys, traceback, genmod\n"
        "for i in range(40): print(f'INFO step {i} working on things', flush=True)\n"
        f"try: genmod.f{depth - 1}()\n"
        "except Exception: traceback.print_exc(); sys.stderr.flush()\n"
        "for i in range(200): print(f'INFO after {i}', flush=True)\n"
        "print('ERROR: final failure: out of retries', file=sys.stderr)\n"
        "sys.exit(1)\n"
    )
    r = run_logtrim("--ci", "plain", "--budget", budget, "--", sys.executable, str(app),
                    cwd=tmp_path)  # fmt: skip
    assert r.code == 1 and len(r.console) <= int(budget[0]) * 1000
    lines = r.console.decode().splitlines()
    assert "ValueError: the live exception that matters" in lines


#: A playbook's output: a heading per task (a title, then a rule of ``*`` to column 80), a
#: line per host, one host failing in the fifth task.
PLAYBOOK = """
tasks = ["Gathering Facts", "common : install packages", "common : template app.yml",
         "shop : copy release", "shop : run migrations", "shop : restart shop-api"]
print("PLAY [Deploy shop-api] " + "*" * 57)
for t, task in enumerate(tasks):
    title = f"TASK [{task}] "
    print("\\n" + title + "*" * (80 - len(title)))
    for host in range(1, 41):
        if t == 4 and host == 17:
            print(f'fatal: [web-{host:02}]: FAILED! => {{"msg": "non-zero return code", "rc": 1}}')
            continue
        print(f"{'changed' if t % 2 else 'ok'}: [web-{host:02}]")
print("password for the report: ********")
raise SystemExit(2)
"""


def test_each_steps_heading_is_shown_at_a_small_budget(run_logtrim: RunLogtrim) -> None:
    """A heading that is a title then a rule to the line's end (``TASK [...] ****``) had no
    rule: at 8 kB every task's heading was left out while its hosts' lines were shown, and
    nothing on the console said which task failed. A masked password, a progress bar, ``git
    --stat``'s bars and a detail level's section are no heading."""
    result = run_logtrim("--ci", "plain", "--budget", "8kB", "--", *py(PLAYBOOK))
    assert result.code == 2
    console = result.stdout
    headings = re.findall(rb"^TASK \[([^]]+)\] \*+$", console, re.M)
    assert headings[:5] == [
        b"Gathering Facts",
        b"common : install packages",
        b"common : template app.yml",
        b"shop : copy release",
        b"shop : run migrations",
    ]
    assert console.index(b"TASK [shop : run migrations]") < console.index(b"fatal: [web-17]")
    assert len(console) <= 8000
    for kind in (Matcher().line_kind, Matcher(compiler=compiler()).line_kind):
        assert kind(b"TASK [shop : copy release] " + b"*" * 53 + b"\n") == Kind.INFO
        for other, tier in [
            (b"password for the report: ************", Kind.NOISE),  # another tool's mask
            (b"Uploading artifact.tar.gz 45% " + b"#" * 30, Kind.PROGRESS),
            (b" legacy/x.py | 120 " + b"-" * 30, Kind.NOISE),  # git --stat
            (b"DEBUG: Section 1 " + b"=" * 30, Kind.NOISE),
            (b"[DEBUG] " + b"-" * 40, Kind.NOISE),
        ]:
            assert kind(other + b"\n") == tier, other


def test_a_tiny_share_of_a_large_run_is_not_said_to_be_none(run_logtrim: RunLogtrim) -> None:
    """2.5 kB of 4 MB printed: the summary said ``0.0%``, which reads as nothing printed."""
    code = "for i in range(40_000): print(f'static/asset-{i:05d}.js synced  {i * 7} bytes  ok')"
    r = run_logtrim("--ci", "plain", "--budget", "4kB", "--", sys.executable, "-c", code)
    assert r.code == 0
    assert re.search(rb" B printed, <0\.1%\)|kB printed, <0\.1%\)", r.stdout), r.stdout[-400:]


_LOGGING_APP = (
    "import logging, sys\n"
    "logging.basicConfig(level=logging.DEBUG, stream=sys.stdout,\n"
    "                    format='%(asctime)s %(levelname)-8s %(name)s: %(message)s')\n"
    "log = logging.getLogger('deployer')\n"
    "for i in range(400):\n"
    "    log.info('processing item %d of 400 (shard %d)', i, i % 7)\n"
    "    if i % 50 == 25:\n"
    "        log.warning('slow response from inventory for item %d: 2.%ds', i, i % 9)\n"
    "    if i == 180:\n"
    "        log.error('could not refresh token for item %d: HTTP 503; retrying', i)\n"
    "    if i % 10 == 0:\n"
    "        log.debug('cache stats hits=%d misses=%d', i * 3, i)\n"
    "try:\n"
    "    raise ConnectionError('upload failed: connection reset by peer')\n"
    "except ConnectionError:\n"
    "    log.exception('deployment aborted')\n"
    "sys.exit(3)\n"
)
# Errors it goes on from, four of them: at 4 kB the second one is held back and does not fit.
_RETRYING_APP = (
    "import logging, sys\n"
    "logging.basicConfig(level=logging.INFO, stream=sys.stdout,\n"
    "                    format='%(asctime)s %(levelname)-8s %(name)s: %(message)s')\n"
    "log = logging.getLogger('deployer')\n"
    "for i in range(300):\n"
    "    log.info('syncing tenant %d of 300 to region eu-%d', i, i % 3)\n"
    "    if i in (40, 90, 140, 190):\n"
    "        log.error('tenant %d: schema check failed: column plan_id missing', i)\n"
    "        log.info('tenant %d: will retry after the batch', i)\n"
    "    if i % 60 == 0:\n"
    "        log.warning('replication lag %ds on eu-%d', i // 10, i % 3)\n"
    "log.error('retry of 4 tenants failed; giving up')\n"
    "sys.exit(3)\n"
)


@pytest.mark.parametrize(
    ("app", "budget"),
    [(_LOGGING_APP, 5000), (_LOGGING_APP, 3000), (_RETRYING_APP, 4000), (_RETRYING_APP, 6000)],
)
def test_the_tail_header_names_the_lines_under_it(
    run_logtrim: RunLogtrim, app: str, budget: int
) -> None:
    """At 5 kB a logging app's failure tail has room for the last 40 lines of its 200: it was
    titled ``last 200 lines`` over them, the 160 before them in no count, and a note said
    only part fits. The lines before go into the gap marker's count now (with the errors
    held back that did not fit), and the header names the lines from its first one to the
    end: every line of the run is shown before it, counted there, or under it."""
    result = run_logtrim("--ci", "plain", "--budget", str(budget), "--", *py(app))
    assert result.code == 3
    console = result.stdout.decode()
    lines = result.archive.decode().splitlines()
    header = re.search(r"^\[logtrim\] --- last (\d+) lines \(exit code 3\) ---\n(.*)\n", console,
                       re.M)  # fmt: skip
    assert header is not None, console
    assert lines[-int(header.group(1))] == header.group(2), console
    assert "only part" not in console
    before = console[: header.start()]
    counted = sum(map(int, re.findall(r"^\[logtrim\] \.\.\. (\d+) lines? ", before, re.M)))
    shown = [line for line in before.splitlines() if not line.startswith("[logtrim]")]
    assert len(shown) + counted == len(lines) - int(header.group(1)), console
    assert len(result.console) <= budget


# Eight tasks over eighty hosts before the failing one: the info tier's share is used by then.
LONG_PLAYBOOK = """
hosts = [f"web-{i:02d}" for i in range(1, 81)]
def task(name):
    print(f"\\nTASK [{name}] " + "*" * max(3, 70 - len(name)))
for t in ["Gathering Facts", "common : install packages", "common : configure ntp",
          "common : create users", "shop : create release directory",
          "shop : unpack release archive", "shop : render appsettings", "shop : install unit"]:
    task(t)
    for h in hosts:
        print(f"{'changed' if 'shop' in t else 'ok'}: [{h}]")
task("shop : run database migrations")
for h in hosts[1:]:
    print(f"skipping: [{h}]")
print('fatal: [web-01]: FAILED! => {"changed": true, "msg": "non-zero return code", "rc": 3}')
task("shop : restart service")
for h in hosts[1:]:
    print(f"changed: [{h}]")
raise SystemExit(2)
"""


def test_the_failing_steps_title_is_shown_above_its_error(run_logtrim: RunLogtrim) -> None:
    """At 8 kB the info tier's share was used before the failing task: its ``TASK [...]`` line was
    in a marker's count, and the ``fatal:`` line did not say which task failed. The title is
    shown above the error's context now, the lines between in a marker of their own."""
    result = run_logtrim("--ci", "plain", "--budget", "8kB", "--", *py(LONG_PLAYBOOK))
    assert result.code == 2
    console = result.stdout.decode()
    assert "info lines are no longer shown" in console  # the case: its share is used
    above = console[: console.index("fatal: [web-01]")].splitlines()
    title = next(i for i in range(len(above) - 1, -1, -1) if above[i].startswith("TASK ["))
    assert above[title].startswith("TASK [shop : run database migrations] ***"), console
    between = above[title + 1 :]
    assert all(line.startswith(("skipping: [", "[logtrim] ... ")) for line in between), console
    # Every line before the error is shown once or counted once.
    lines = result.archive.decode().splitlines()
    counted = sum(map(int, re.findall(r"^\[logtrim\] \.\.\. (\d+) (?:similar )?lines? ",
                                      "\n".join(above), re.M)))  # fmt: skip
    shown = [line for line in above if not line.startswith("[logtrim]")]
    assert len(shown) + counted == lines.index(
        'fatal: [web-01]: FAILED! => {"changed": true, "msg": "non-zero return code", "rc": 3}'
    ), console
    assert len(result.console) <= 8000


def test_the_short_summary_says_how_many_warnings_were_not_shown(run_logtrim: RunLogtrim) -> None:
    """A small budget's short summary has no tier breakdown: it still says that warnings
    stopped, with their count, and says nothing of a tier shown whole."""
    code = (
        "for i in range(400):\n"
        "    print(f'copying file {i} of the bundle')\n"
        "    if i % 4 == 0: print(f'WARNING: package pkg-{i} uses deprecated API v{i % 3}')\n"
        "print('Deployment finished')\n"
    )
    r = run_logtrim("--ci", "plain", "--budget", "8kB", "--", *py(code))
    assert r.code == 0
    shown = r.stdout.count(b"WARNING: package")
    assert 0 < shown < 100
    summary = re.search(rb"^\[logtrim\] [\d,]+ lines .*$", r.stdout, re.M)
    assert summary is not None
    assert summary[0].endswith(b"; %d of 100 warnings not shown" % (100 - shown))
    roomy = run_logtrim("--ci", "plain", "--budget", "8kB", "--", *py("print('WARNING: x')"))
    assert b"not shown" not in roomy.stdout
