"""The interface every CI dialect implements.

A dialect is sans-IO: it recognises the system's commands in the child's output, learns the
secrets they declare, tracks the level switches some systems have, and returns the *actions*
that publish the archive and mark a failure. It reads no clock, environment or file: what it
needs comes in (:class:`Closing`), and the shell (``logtrim.run``, the handler) carries the
actions out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import ClassVar

from .. import _text
from .._regex import lazy
from .actions import Action, AppendFile, Closing, Level, Print, RunProgram
from .escape import failure_text
from .syntax import Mask, mask_outside

MASK = _text.MASK


class Dialect:
    """Base dialect: plain text, no commands. Subclasses override what their system has."""

    #: The ``--ci`` name.
    name: ClassVar[str] = "plain"
    #: Whether the system reads the output as .NET's ``ReadLine`` does (a lone ``\r`` ends a
    #: line too): GitHub's runner, Azure's agent.
    dotnet_reader: ClassVar[bool] = False
    #: Environment variable whose presence selects this dialect under ``--ci auto``.
    detect_var: ClassVar[str | None] = None
    #: Byte strings whose presence in a line may mean a command of this system; a fast
    #: pre-check before :meth:`is_command`.
    markers: ClassVar[tuple[bytes, ...]] = ()
    #: The words of its commands' syntax besides the markers (the names logtrim writes and
    #: common ones, property names): kept in a command even when a secret holds or is one
    #: (said once); any other part of a command is masked.
    syntax_words: ClassVar[tuple[str, ...]] = ()
    #: Whether its commands pass verbatim whatever the system in use.
    forward_always: ClassVar[bool] = False
    #: Whether a command ends at the first ``]`` after its marker (else at its line's end).
    closes_at_bracket: ClassVar[bool] = False
    #: The byte that escapes the next one in a command (TeamCity's ``|``: ``|]`` ends none).
    escape: ClassVar[bytes] = b""
    #: Whether its commands' attribute values are base64 (Octopus's): a secret in one is
    #: masked by base64 of the same length, so the command still parses.
    base64_values: ClassVar[bool] = False
    #: Whether its server reads a lone carriage return as a line's end (.NET's ``ReadLine``):
    #: a command ends there, and one may start after it (``Downloading 100%\r::add-mask::``).
    ends_at_cr: ClassVar[bool] = False
    #: How each command that declares a secret starts, in lower case (the system reads any
    #: case): a line too long to hold is never cut inside one (engine/masking/inpieces.py).
    declaring: ClassVar[tuple[bytes, ...]] = ()
    #: A whole line (its newline included) that is one *inert* command of this system: it
    #: passes verbatim, declares no secret in any system's syntax (a level switch or a group
    #: it starts is seen by :meth:`observe_quick`), opens
    #: no message over lines, is no progress, and is made of bytes no masking decodes
    #: (no ``%``, ``|``, ``@``, ESC, ``#`` but its marker's): a secret is in its console
    #: form only where its bytes hold one. ``Commands.quick`` (engine/service) passes them without
    #: reading them through every dialect; None: none is known.
    quick: ClassVar[re.Pattern[bytes] | None] = None
    #: As :attr:`quick`, for progress commands (:meth:`is_progress`): they are throttled.
    quick_progress: ClassVar[re.Pattern[bytes] | None] = None

    @classmethod
    def quick_lines(cls) -> re.Pattern[bytes] | None:
        """:attr:`quick` and :attr:`quick_progress` in one pattern, whose group ``progress``
        is set on a progress command; None: neither."""
        quick, progress = cls.quick, cls.quick_progress
        if progress is None:
            return quick
        inert = b"(?:%s)|" % quick.pattern if quick is not None else b""
        return lazy(inert + b"(?P<progress>%s)" % progress.pattern)

    @classmethod
    def detect(cls, env: Mapping[str, str]) -> bool:
        return cls.detect_var is not None and bool(env.get(cls.detect_var))

    def is_command(self, line: str) -> bool:
        """True when the line carries one of this system's commands (forward it verbatim)."""
        return False

    def command_span(self, line: str) -> tuple[int, int] | None:
        """Where the command of a command line starts and ends, when the rest of the line is
        not part of it (text its system prints as plain output); None: the whole line."""
        return None

    def may_be_command(self, line: str) -> bool:
        """Whether ``line`` may be one of this system's commands, in whatever state a command
        before it on the same line leaves it (GitHub's resume token after its
        ``::stop-commands::``): kept as a command, never taken for text."""
        return self.is_command(line)

    def long_command(self, start: str) -> bool:
        """Whether ``start``, the first bytes of a line too long to hold from a marker (or
        from the line's start), begins one of this system's commands, perhaps cut short."""
        return self.is_command(self.first_read(start))

    def first_read(self, start: str) -> str:
        """Of a window that starts at a command too long to hold (or at the carriage return
        that leads it), what this system reads as that command: for a .NET reader
        (:attr:`dotnet_reader`), its first line. The commands after it are windows of their
        own (read whole each time, a line of thousands of ``\r::warning::`` cost their
        square)."""
        if not self.dotnet_reader:
            return start
        return start[1:].split("\r", 1)[0] if start.startswith("\r") else start.split("\r", 1)[0]

    def declaring_spans(self, line: str) -> list[tuple[int, int]] | None:
        """On a line that declares a secret: where the commands that declare are (each
        passes as it is, the rest is masked); None: the whole line."""
        span = self.command_span(line)
        return None if span is None else [span]

    def is_progress(self, line: str) -> bool:
        """True when the command is a progress update (may be throttled, latest kept)."""
        return False

    def is_cosmetic(self, line: bytes) -> bool:
        """True when the command only lays out the log (Buildkite's group headers): shown
        while the live room holds it, else counted in the gap.
        Any line starting ``--- `` is one there (a diff's ``--- a/file``): a flood of them
        must not pass outside the budget."""
        return False

    def native_progress(self, percent: int, message: str) -> str | None:
        """The line that sets the system's own progress indicator to ``percent`` (0-100)
        with ``message``, or None when the system has no indicator (the default)."""
        return None

    def declared_secrets(self, line: str) -> list[str]:
        """Secrets this line asks the system to mask (learned from that point on)."""
        return []

    def long_value_at(self, start: str) -> int:
        """In ``start``, the first bytes of a command too long to hold: where the value of a
        secret it may declare begins (the value is too long to learn: it is masked in its
        own command from there), or -1 when it declares none."""
        line = self.first_read(start)
        found = self.declared_secrets(line)
        if not found:
            return -1
        lead = 1 if self.dotnet_reader and start[:1] == "\r" else 0  # (the place in ``start``)
        return max(line.rfind(found[-1]), 0) + lead

    def long_declares(self, head: str, tail: str) -> bool:
        """Whether a command too long to hold that :meth:`long_value_at` found may declare
        a secret does (``head``: its start up to its value; ``tail``: its last bytes)."""
        return True

    def declares_to_ci(self, line: str) -> bool:
        """Whether the system reads the declaration on ``line`` as one (a paused GitHub
        runner does not): only then does the declaring command keep its value."""
        return True

    def resumes_in_clear(self, line: str) -> bool:
        """Whether ``line`` is a command shown as written whatever the secrets: the resume of
        a pause whose token the console showed in clear (GitHub's)."""
        return False

    def secret_forms(self, value: str) -> list[str]:
        """The forms a secret takes inside this system's commands (its escapes), besides
        the value itself: masked everywhere, so a command never carries it either way."""
        return []

    def mask_command(self, line: bytes, mask: Mask, *, continued: bool = False) -> bytes | None:
        """One of this system's command lines (or, ``continued``, the next line of one) with
        every secret masked in the encoding the system reads, its syntax kept; None drops
        the line."""
        masked = self.mask_syntax(line, mask)
        again = mask(masked)
        if again == masked:
            return masked
        # A secret's form is still there: one that is a syntax word (kept: ``error``), or
        # one the syntax cut (``text='login pa'ss-w0rd'``: the quote in it ends the value; an
        # Octopus message inside this system's command, cut from its ``]``), which the CI
        # cannot read as a value and shows as written. Masked whole then: a secret never
        # passes to keep a command intact.
        words = self.keep_words()
        alone = words.sub(lambda w: b"\0" * len(w[0]) if mask(w[0]) != w[0] else w[0], masked)
        return masked if mask(alone) == alone else again

    def mask_syntax(self, line: bytes, mask: Mask) -> bytes:
        """``line`` masked but for its command's syntax (:meth:`syntax_spans`)."""
        return mask_outside(line, self.syntax_spans(line), mask, self.keep_words())

    @classmethod
    def keep_words(cls) -> re.Pattern[bytes]:
        """The markers and syntax words, found in any case (a pattern made once a class)."""
        found: re.Pattern[bytes] | None = cls.__dict__.get("_keep_words")
        if found is None:
            words = {m.decode("latin-1") for m in cls.markers} | set(cls.syntax_words)
            alternatives = b"|".join(
                re.escape(w.encode()) for w in sorted(words, key=len, reverse=True)
            )
            found = re.compile(alternatives or b"(?!)", re.IGNORECASE)
            cls._keep_words = found  # type: ignore[attr-defined]
        return found

    def syntax_spans(self, line: bytes) -> list[tuple[int, int]]:
        """The parts of a command line that are its syntax (marker, name, property names,
        separators), in order: never masked, so a secret that is such a word (``error``,
        ``vso``) does not break the command; the values between are masked each alone."""
        return []

    def hide_with(self, hide: Callable[[str], str]) -> None:
        """How the console masks a line's text: state the CI keeps of what it read (a pause's
        token) is kept as the CI read it. A no-op by default."""

    def observe(self, line: str) -> None:
        """See a line that may carry a command, after ``is_command``/``declared_secrets``.

        For state that spans lines (GitHub's ``stop-commands``); a no-op by default.
        """

    def quick_ready(self) -> bool:
        """Whether a line of the :attr:`quick` shape is a command now (a paused GitHub
        runner reads its commands as text)."""
        return True

    def observe_quick(self, line: bytes) -> None:
        """:meth:`observe` for a line of any dialect's :attr:`quick` shape: called only when
        its bytes may change the state (a no-op here, as :meth:`observe`)."""

    def unclosed(self, line: str) -> bool:
        """Whether the command this line starts or continues goes on on the next line."""
        return False

    def closes(self, line: str) -> bool:
        """Whether ``line``, read as the next line of a command left open, ends it (whatever
        it opens after that: another command, read from its own line)."""
        return not self.unclosed(line)

    def continues(self, line: str) -> bool:
        """Whether ``line`` is the next line of a command :meth:`unclosed` left open."""
        return False

    def gathers(self, line: str) -> bool:
        """Whether, to learn what it declares, ``line`` is read as part of a command
        :meth:`unclosed` left open: its system's parser may read more lines into one than
        :meth:`continues` lets pass verbatim (learning more is safe)."""
        return self.continues(line)

    def level(self, stderr: bool) -> Level:
        """How the child's last level switch for the stream asks its lines to be shown."""
        return Level.NORMAL

    def child_sent_result(self) -> bool:
        """Whether the child already reported its own failure reason."""
        return False

    def shows_line(self, line: str) -> bool:
        """Whether this system shows the command on ``line`` as a line of its log (the
        heartbeat's activity): one it only reads (a variable set, a secret declared, a
        debug message) writes none."""
        return True

    def ends_section(self, line: str) -> bool:
        """Whether the command on ``line`` ends a section of this system's log (a group, a
        block): what was left out inside it is said inside it."""
        return False

    def reported_error(self, line: str) -> tuple[str, bool] | None:
        """The text of an error the child reports to this system with a command on ``line``
        (GitHub's ``::error::``, a TeamCity ``buildProblem``), and whether it names a failing
        test; None when the line reports none. A failure reason candidate."""
        return None

    def group_start(self, title: str, *, timestamp: float = 0.0) -> str | None:
        """A line that opens a collapsible group, or None when the system has none.

        ``timestamp``: the Unix time, for systems that stamp their groups (GitLab).
        """
        return None

    def group_end(self, title: str, *, timestamp: float = 0.0) -> str | None:
        return None

    def reset_lines(self) -> list[str]:
        """Lines to print before logtrim's own output after the child's (mode resets)."""
        return []

    def replay_pause(self, lines: bytes) -> tuple[str, str] | None:
        """The lines that pause the CI's commands around the child's ``lines`` printed again
        at the end (the failure tail, the held-back ones), where the child paused them during
        the run: a line it wrote while paused was text to the CI, and printed after the
        resume it would be a command (an injection). None: no such pause was made (a
        TeamCity line between ``disableServiceMessages`` and ``enableServiceMessages`` that
        looks like a message is shown as it comes, so never printed again)."""
        return None

    def own_line_levels(self) -> tuple[list[str], list[str]]:
        """Around logtrim's own lines in the middle of a run (on stdout): the lines that
        switch the child's level off before them, and those that switch it back after."""
        return [], []

    def finish(self, closing: Closing) -> list[Action]:
        """Mark the failure (if any) and publish the archive."""
        actions: list[Action] = failure_note(closing)
        if closing.archive_path:
            actions.append(Print(f"[logtrim] full log: {_text.inert(closing.archive_path)}"))
        return actions


def dotnet_lines(line: str) -> list[str]:
    """The lines a .NET reader (GitHub's runner, Azure's agent: ``ReadLine``) reads in one of
    the child's lines: it ends a line at a lone carriage return too, so a progress bar's last
    state and a command printed after it (``Downloading 100%\r::add-mask::...``) are two."""
    return line.rstrip("\r\n").split("\r")


def failure_note(closing: Closing) -> list[Action]:
    """``[logtrim] failed (exit 3): <reason>``: a failure's reason, where the CI has no mark."""
    if not closing.failed:
        return []
    reason = failure_text(closing.reason, closing.exit_code)
    return [Print(f"[logtrim] failed (exit {closing.exit_code}): {reason}")]


# The actions are re-exported: the dialects and the shells take them from here.
__all__ = [
    "MASK", "Action", "AppendFile", "Closing", "Dialect", "Level", "Print", "RunProgram",
    "dotnet_lines", "failure_note",
]  # fmt: skip
