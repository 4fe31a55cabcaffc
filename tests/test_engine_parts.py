"""The engine's parts, each alone: output and gap, throttle, repeats, heartbeat, commands."""

from __future__ import annotations

import base64

from logtrim._matchers import compiler
from logtrim.dialects import Dialect, Level, choose
from logtrim.dialects.github import GitHub
from logtrim.dialects.octopus import Octopus
from logtrim.engine.console.output import STDERR, STDOUT, Output
from logtrim.engine.console.tally import Tally
from logtrim.engine.core import Core
from logtrim.engine.ending.reason import ReasonChooser
from logtrim.engine.flow.heartbeat import Heartbeat
from logtrim.engine.flow.history import History
from logtrim.engine.flow.repeats import Repeats
from logtrim.engine.flow.throttle import Progress
from logtrim.engine.masking.declarations import MAX_LINES
from logtrim.engine.masking.mask import Masker
from logtrim.engine.match.kinds import TIERS, Kind
from logtrim.engine.policy import Budget, Policy
from logtrim.engine.service.commands import Commands


def output(budget: int = 100_000) -> Output:
    return Output(Budget(budget), Tally())


def text(out: Output) -> bytes:
    return b"".join(data for _, data in out.take())


def test_output_counts_the_gap_and_pays_from_the_budget() -> None:
    """Hidden lines make one gap marker before the next shown line; all of it is paid for."""
    out = output()
    out.hide(120, lines=3)
    out.flush_gap()
    out.emit(STDERR, b"ERROR: boom\n", Kind.ERROR)
    emits = out.take()
    assert emits == [
        (STDOUT, b"[logtrim] ... 3 lines (120 B) not shown ...\n"),
        (STDERR, b"ERROR: boom\n"),
    ]
    assert out.budget.used == sum(len(data) for _, data in emits)
    assert out.tally.shown_lines[Kind.ERROR] == 1
    assert out.gap_lines == 0 and out.take() == []


def test_markers_stop_when_the_budget_is_spent() -> None:
    """logtrim's own lines never take the budget past its live share and a bit of closing."""
    out = output(2048)
    for _ in range(200):
        out.marker("a note of logtrim's own")
    assert out.budget.used <= out.budget.live + out.budget.closing // 4


def test_progress_throttle_keeps_the_latest_state() -> None:
    """One progress line per interval; the latest waiting one shows when time has passed,
    after the marker of the state it replaced (written before it)."""
    out, history = output(), History(10)
    progress = Progress(5.0, out, history, lambda raw, _at: raw)
    assert progress.due(STDOUT, 0.0, 0, b"10%\n")
    assert not progress.due(STDOUT, 1.0, 1, b"20%\n")
    assert not progress.due(STDOUT, 2.0, 2, b"30%\n")
    assert out.gap_lines == 2
    progress.tick(3.0)
    assert out.take() == []
    progress.tick(5.0)
    assert out.take() == [
        (STDOUT, b"[logtrim] ... 1 line (4 B) not shown ...\n"),
        (STDOUT, b"30%\n"),
    ]
    assert 2 in history.shown() and out.gap_lines == 0


def test_one_long_similar_line_is_counted_by_a_marker() -> None:
    """A line over twice as long as the marker that would count it: the marker is shown."""
    out, history = output(), History(10)
    repeats = Repeats(30.0, out, history, bytes)
    long = b"retrying db-01 in %ds: " + b"connection refused by the primary, trying again" * 2
    key = repeats.key(STDOUT, long % 5 + b"\n", 0.0, 0)
    assert key is not None
    repeats.shown(STDOUT, key, 0.0)
    assert repeats.key(STDOUT, long % 6 + b"\n", 1.0, 1) is None
    assert repeats.key(STDOUT, long % 7 + b"\n", 2.0, 2) is None
    repeats.end(STDOUT)
    assert text(out) == b"[logtrim] ... 1 similar line ...\n" + long % 7 + b"\n"


def test_repeats_collapse_by_template_and_report_the_count() -> None:
    """A line like the last shown one is counted, not shown; the run's end says how often."""
    out, history = output(), History(10)
    repeats = Repeats(30.0, out, history, bytes)
    key = repeats.key(STDOUT, b"retrying db-01 in 5s\n", 0.0, 0)
    assert key is not None
    repeats.shown(STDOUT, key, 0.0)
    assert repeats.key(STDOUT, b"retrying db-01 in 6s\n", 1.0, 1) is None
    assert repeats.key(STDOUT, b"\x1b[33mretrying db-01 in 7s\x1b[0m\n", 2.0, 2) is None
    assert repeats.key(STDERR, b"retrying db-01 in 8s\n", 3.0, 3) is not None  # other stream
    assert out.tally.collapsed == 2
    repeats.end(STDOUT)
    # They differ in a number: "similar", not "repeated", and the last of them is shown; the
    # one line a marker would count is shown in its place (it says more, and costs little).
    assert text(out) == b"retrying db-01 in 6s\n\x1b[33mretrying db-01 in 7s\x1b[0m\n"
    assert out.tally.collapsed == 0
    key = repeats.key(STDOUT, b"done\n", 4.0, 4)
    assert key is not None
    repeats.shown(STDOUT, key, 4.0)
    assert repeats.key(STDOUT, b"done\n", 5.0, 5) is None
    repeats.end(STDOUT)
    assert text(out) == b"[logtrim] (repeated once more)\n"


def test_heartbeat_only_after_a_quiet_while() -> None:
    out = output()
    heartbeat = Heartbeat(60.0, out)
    heartbeat.beat(100.0, 1, 10)
    assert out.take() == []  # nothing started yet
    heartbeat.start(0.0)
    heartbeat.beat(59.0, 1, 10)
    assert out.take() == []
    heartbeat.beat(61.0, 12, 3_000)
    assert text(out).startswith(b"[logtrim] still running after 1m01s: 12 lines (3 kB) so far")


def test_level_switches_come_from_the_dialect() -> None:
    """Octopus's switches set the streams' levels under Octopus; under another system they
    pass as commands but nobody reads them as switches (nor a ``resultMessage``)."""
    other = Commands(GitHub())
    assert other.see("##octopus[stdout-warning]")
    assert other.apply(STDOUT, Kind.NOISE) == Kind.NOISE and not other.forced(STDOUT)
    other.see("##octopus[resultMessage message='Ym9vbQ==']")
    assert not other.child_sent_result
    commands = Commands(Octopus())
    assert commands.see("##octopus[stdout-warning]")
    assert commands.apply(STDOUT, Kind.NOISE) == Kind.WARNING
    assert commands.apply(STDOUT, Kind.ERROR) == Kind.ERROR
    assert commands.forced(STDOUT) and not commands.forced(STDERR)
    commands.see("##octopus[stdout-verbose]")
    assert commands.quiet(STDOUT) and commands.apply(STDOUT, Kind.ERROR) == Kind.NOISE
    commands.see("##octopus[stderr-progress]")
    assert commands.apply(STDERR, Kind.ERROR) == Kind.PROGRESS
    commands.see("##octopus[resultMessage message='Ym9vbQ==']")
    assert commands.child_sent_result


def test_plain_dialect_has_no_levels() -> None:
    assert Dialect().level(stderr=False) is Level.NORMAL
    assert not Dialect().unclosed("##octopus[x")


def test_octopus_resets_its_levels_before_logtrim_writes() -> None:
    octopus = Octopus()
    assert octopus.reset_lines() == []
    octopus.observe("##octopus[stdout-ignore]")
    octopus.observe("##octopus[stderr-ignore]")
    assert octopus.reset_lines() == ["##octopus[stdout-default]", "##octopus[stderr-default]"]


def test_a_message_over_several_lines_holds_only_attribute_lines() -> None:
    """A message left open goes on while lines look like its attributes, and not beyond."""
    commands = Commands(Octopus())
    commands.opened.after(STDOUT, "##octopus[create-kubernetestarget name='YQ=='")
    assert commands.is_open(STDOUT) and not commands.is_open(STDERR)
    assert commands.opened.continues(STDOUT, "  namespace='ZGVmYXVsdA=='\n")
    assert commands.opened.continues(STDOUT, "  roles='d2Vi']\n")
    assert not commands.is_open(STDOUT)
    commands.opened.after(STDOUT, "see ##octopus[ docs")
    assert not commands.opened.continues(STDOUT, "ERROR: password hunter2 rejected\n")
    assert not commands.is_open(STDOUT)
    commands.opened.after(STDOUT, "##octopus[x")
    assert (
        sum(commands.opened.continues(STDOUT, " a='YQ=='") for _ in range(MAX_LINES + 5))
        == MAX_LINES
    )


def test_reasons_prefer_the_last_exception_of_a_traceback() -> None:
    reasons = ReasonChooser()
    lines = [
        b"\x1b[31mERROR\x1b[0m: first failure\n",
        b"Traceback (most recent call last):\n",
        b'  File "deploy.py", line 3, in <module>\n',
        b"ValueError: secret-1234 is not a number\n",
    ]
    for lineno, line in enumerate(lines):
        reasons.offer(line, lineno, error=lineno != 2)
    assert reasons.masked_first_errors(Masker())[0] == "ERROR: first failure"
    assert reasons.reason(Masker(["secret-1234"])) == "ValueError: ******** is not a number"


def test_one_tier_table() -> None:
    assert {k: TIERS[k].lines for k in (Kind.WARNING, Kind.KEEP)} == {
        Kind.WARNING: "warning lines",
        Kind.KEEP: "kept lines",
    }
    assert set(TIERS) == set(Kind)


def test_heartbeat_under_ten_seconds_says_how_long() -> None:
    """A sub-second ``--heartbeat``: the time is given in tenths, never as 0m00s."""
    out = output()
    heartbeat = Heartbeat(0.3, out)
    heartbeat.start(0.0)
    heartbeat.beat(0.34, 1, 11)
    assert text(out).startswith(b"[logtrim] still running after 0.3s: 1 line (11 B) so far")


def test_the_heartbeat_says_what_share_of_the_output_the_console_shows() -> None:
    """A line whose start was shown before its newline, then its rest: every byte is on the
    console. The heartbeat counted only lines of a tier, and said 38.5%; it counts the
    child's bytes printed, as the summary does."""
    core = Core(Policy(heartbeat=1.0), compiler=compiler())
    core.start(0.0)
    out = core.feed(1, b"step 1\n", 0.0)[1]
    out += core.feed(1, b"Deploying with token Zq8w", 0.1)[1]
    out += core.tick(0.8)  # the line's start, shown
    out += core.feed(1, b"mT4rP2xLk9Vb done\n", 3.0)[1]
    out += core.tick(4.1)  # a second after the last line shown
    beats = [data for _, data in out if b"still running" in data]
    assert beats, out
    assert beats[-1].rstrip().endswith(b"so far, 100.0% shown"), beats


def _beat_after(lines: list[bytes], **policy: object) -> bytes:
    """The heartbeat a quiet step gets after ``lines`` (past the run's head and its verbatim
    allowance: the budget filters)."""
    core = Core(Policy(heartbeat=2.0, verbatim=0, head=0, **policy))  # type: ignore[arg-type]
    core.start(0.0)
    for i, line in enumerate(lines):
        core.feed(STDOUT, line, 0.1 * i)
    beats = [d for _, d in core.tick(5.0) if b"still running" in d]
    assert len(beats) == 1, beats
    return beats[0]


def test_a_quiet_step_s_heartbeat_quotes_its_newest_line_when_not_shown() -> None:
    """A status line before a long wait, held as an error's possible context: the heartbeat
    says what the step is at (its last state after redraws, no colour, masked)."""
    beat = _beat_after([b"Uploading package\n", b"Waiting for CDN invalidation\n"])
    assert beat.endswith(b"so far, 0.0% shown; the last line: Waiting for CDN invalidation\n")
    beat = _beat_after(
        [b"\x1b[32mconnecting as deploy:Zq8wmT4rP2\x1b[0m\rconnected as deploy:Zq8wmT4rP2\n"],
        masks=("Zq8wmT4rP2",),
    )
    assert beat.endswith(b"; the last line: connected as deploy:********\n"), beat
    beat = _beat_after([b"x" * 300 + b"\n"])
    assert beat.endswith(b"; the last line: " + b"x" * 96 + b" ...\n")


def test_the_heartbeat_quotes_no_line_shown_dropped_or_carrying_a_command() -> None:
    """Shown already (an error), kept off the console (``--drop``), a CI command: no quote;
    a command's opener inside a quoted line is made inert."""
    for lines, policy in (
        ([b"ERROR: disk full\n"], {}),
        ([b"noise: cache warm 42\n"], {"drop": ("^noise:",)}),
        ([b"##vso[task.setvariable variable=x]1\n"], {}),
    ):
        assert b"the last line" not in _beat_after(lines, **policy), lines
    beat = _beat_after([b"echo ok ##vso[task.complete result=Failed]\n"])
    assert b"the last line: echo ok \\x23#vso[task.complete" in beat, beat


def test_no_heartbeat_while_lines_are_shown() -> None:
    """The heartbeat says the step is alive when the console was quiet: lines shown every
    0.2 s keep it quiet, and it comes ``heartbeat`` seconds after the last one."""
    core = Core(Policy(heartbeat=2.0))
    core.start(0.0)
    printed = b""
    now = 0.0
    for i in range(25):
        now = round(0.2 * (i + 1), 1)
        printed += b"".join(d for _, d in core.feed(STDOUT, b"Uploading %d%%\n" % (4 * i), now)[1])
        printed += b"".join(d for _, d in core.tick(now))
    assert b"still running" not in printed
    quiet = b"".join(d for t in (6.0, 6.9) for _, d in core.tick(t))
    assert quiet == b""
    beat = b"".join(d for _, d in core.tick(now + 2.0))
    assert beat.startswith(b"[logtrim] still running after 7.0s: 25 lines")


def _word(i: int) -> bytes:
    """A name of letters only, another for each ``i`` (lines alike but for numbers fold)."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    word = ""
    for _ in range(4):
        i, k = divmod(i, 26)
        word += letters[k]
    return f"lib-{word}".encode()


def _stop_notes(lines: bytes) -> list[bytes]:
    # (every progress line due at once: none waits for the throttle's interval)
    policy = Policy(budget=40_000, head=0, verbatim=0, progress_interval=0)
    core = Core(policy, compiler=compiler())
    out = core.feed(STDOUT, lines, 0.0)[1] + core.finish_input(1.0)[1]
    return [ln for _, data in out for ln in data.splitlines() if b"shown as they come" in ln]


def test_a_tier_stopped_before_any_of_its_lines_shown_says_whose_share_it_was() -> None:
    """Progress stops at 40% of the live budget: info lines (shown to 60%) can use it before
    the first progress line comes. "Their share of the budget is used" then read as if
    progress lines had been shown; the note says the lines before them used it."""
    info = b"".join(b"[INFO] Downloaded from central: %s.jar\n" % _word(i) for i in range(900))
    notes = _stop_notes(info + b"[INFO] Building shop-api 4.12.0 [3/4]\n")
    assert any(n.startswith(b"[logtrim] progress lines") for n in notes), notes
    progress = next(n for n in notes if n.startswith(b"[logtrim] progress lines"))
    assert b"the lines shown before them used their share of the budget" in progress


def test_a_tier_stopped_after_its_lines_shown_says_its_share_is_used() -> None:
    lines = b"".join(b"upload %s: %d%% done\n" % (_word(i), i % 100) for i in range(9000))
    notes = _stop_notes(lines)
    assert notes and b"their share of the budget is used" in notes[0], notes


def test_commands_a_ci_reads_are_no_console_activity() -> None:
    """A step that only updates Octopus's progress bar prints no line the task log shows:
    the heartbeat still comes (it stopped once commands counted as activity)."""
    core = Core(Policy(heartbeat=2.0, progress_interval=1.0), Octopus(), compiler=compiler())
    core.start(0.0)
    printed = b""
    for i in range(20):
        now = 0.5 * (i + 1)
        pct = base64.b64encode(str(5 * i).encode()).decode()
        line = f"##octopus[progress percentage='{pct}']\n".encode()
        printed += b"".join(d for _, d in core.feed(STDOUT, line, now)[1])
        printed += b"".join(d for _, d in core.tick(now))
    assert printed.count(b"[logtrim] still running after") >= 4, printed


def test_commands_a_ci_shows_as_lines_are_console_activity() -> None:
    """TeamCity prints a ``message`` command's text as a line of its build log: a step that
    says what it does that way is not silent, and gets no heartbeat between its messages."""
    from logtrim.dialects.teamcity import TeamCity

    core = Core(Policy(heartbeat=2.0), TeamCity(), compiler=compiler())
    core.start(0.0)
    printed = b""
    for i in range(20):
        now = 0.5 * (i + 1)
        line = b"##teamcity[message text='restoring shard %d' status='NORMAL']\n" % i
        printed += b"".join(d for _, d in core.feed(STDOUT, line, now)[1])
        printed += b"".join(d for _, d in core.tick(now))
    assert b"restoring shard 19" in printed
    assert b"still running" not in printed


def test_commands_a_ci_only_reads_are_no_console_activity() -> None:
    """GitHub writes no log line for ``::debug::`` (without step debugging), ``::add-mask::``
    or ``::endgroup::``: a step that prints only those is silent, and gets its heartbeat; one
    that opens groups (a title line each) is not."""
    for command, silent in (("::debug::poll {i}: Pending", True), ("::group::step {i}", False)):
        core = Core(Policy(heartbeat=2.0), GitHub(), compiler=compiler())
        core.start(0.0)
        printed = b""
        for i in range(20):
            now = 0.5 * (i + 1)
            line = command.format(i=i).encode() + b"\n"
            printed += b"".join(d for _, d in core.feed(STDOUT, line, now)[1])
            printed += b"".join(d for _, d in core.tick(now))
        assert (printed.count(b"still running") >= 4) is silent, printed


def test_similar_lines_counted_before_a_secret_was_declared_are_printed_masked() -> None:
    """A run of similar lines is printed at its end (its last line, and the one before it in
    the place of a marker): a secret declared in between is masked in them, though they were
    counted masked with the secrets known then."""
    core = Core(Policy(verbatim=0, head=0), choose("github", {}))
    core.start(0.0)
    steps = b"".join(b"INFO step %d uses abc123XYZ\n" % i for i in (1, 2, 3))
    out = core.feed(STDOUT, steps, 0.0)[1]
    out += core.feed(STDOUT, b"::add-mask::abc123XYZ\nok\n", 0.1)[1]
    out += core.tick(1.0)
    lines = b"".join(d for _, d in out).splitlines()
    assert lines[:3] == [
        b"INFO step 1 uses abc123XYZ",  # shown before the declaration
        b"INFO step 2 uses ********",
        b"INFO step 3 uses ********",
    ], lines


def test_the_heartbeat_counts_a_report_printed_before_it() -> None:
    """A run of similar lines is reported when the heartbeat prints (before it): its last
    line is counted in the share the heartbeat says (it said 4.8%, the next one 9.6%)."""
    core = Core(Policy(heartbeat=1.0, verbatim=0))
    core.start(0.0)
    core.feed(STDOUT, b"".join(b"noise line %d\n" % i for i in range(20)), 0.0)
    beats = [d for t in (1.0, 2.0) for _, d in core.tick(t) if b"still running" in d]
    assert len(beats) == 2, beats
    shares = [beat.split(b" so far, ")[1].split(b"%")[0] for beat in beats]
    assert shares[0] == shares[1], beats
