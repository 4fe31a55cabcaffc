"""The last resort: logtrim broke before the step started, so the step runs without the engine.

Failing open must still keep secrets and floods out of the log. The known secrets (``--mask``,
``--mask-env``) are masked by the engine's masker alone, in every form the normal path masks
(base64, an Octopus value as Calamari reads it, each CI's escapes, split by escape codes) and
a URL's password with them; if even that masker cannot be built or fails, as plain bytes
(:class:`CrudeMask`). Each stream carries to its next read the bytes that could start a
secret, and the console gets a head and a tail under the budget (:class:`.fallback.HeadTail`).
There is no archive: the step's output is only what the console shows, and the console says so.

Plain blocking I/O with :mod:`selectors`, no event loop: this path must work when the rest
does not.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from .._errors import LogtrimError
from ..cli.config import masks_from
from ..engine.masking import urlcreds
from ..engine.masking.escapes import held_end, held_through, through_escapes
from ..engine.masking.forms import line_endings, line_forms
from ..engine.masking.mask import MIN_LENGTH, Masker, apply, masker_of, merged
from .fallback import HeadTail
from .lastsignals import LastSignals
from .lines import StreamLines
from .pump import pump

if TYPE_CHECKING:
    from ..engine.masking.secrets import Secrets


class CrudeMask:
    """Replace each secret, in its forms, with ``********``; per stream, hold back the end
    of a read that could begin one until the next read (or the end)."""

    def __init__(self, secrets: Iterable[str]) -> None:
        # As the engine's masker takes them: a secret over several lines with either line
        # end, and line by line (a tool that indents each line of a key prints its lines);
        # no compiled matcher, no base64 forms.
        # A value read from a file ends with a newline: the text before it is the secret.
        raws = (secret.strip("\r\n").encode("utf-8", "surrogateescape") for secret in secrets)
        forms = {f for raw in raws for f in (*line_endings(raw), *line_forms(raw))}
        self.forms = sorted((f for f in forms if len(f) >= MIN_LENGTH), key=len, reverse=True)
        self._carry: dict[int, bytes] = {}

    def feed(self, stream: int, data: bytes, *, final: bool = False) -> bytes:
        out = self._masked(self._carry.pop(stream, b"") + data)
        # The next read is masked without this one: a URL that may be starting waits, and
        # so does the start of a secret, colour codes among its characters or not.
        held = 0
        if not final:
            held = max(held_end(out, self.forms), held_through(out, self.forms))
            held = max(held, len(out) - urlcreds.open_context(out))
        if held:
            self._carry[stream] = out[-held:]
            out = out[:-held]
        return out

    def passed(self, stream: int, data: bytes) -> None:
        """A chunk of ``stream`` fed in its turn (:mod:`.pump`); learns nothing here."""

    def learn_ahead(self, stream: int, data: bytes) -> None:
        """A chunk of ``stream`` read ahead of its turn (:mod:`.pump`); learns nothing here."""

    def mask_text(self, text: str) -> str:
        """``text`` masked whole (one of logtrim's own messages)."""
        return self._masked(text.encode("utf-8", "surrogateescape")).decode(
            "utf-8", "surrogateescape"
        )

    def _masked(self, data: bytes) -> bytes:
        spans = urlcreds.spans(data) + self._found(data)
        if self.forms and b"\x1b" in data:  # escape codes inside a secret hide nothing
            spans += through_escapes(data, self._found)
        return apply(data, merged(spans))

    def _found(self, data: bytes) -> list[tuple[int, int]]:
        """Where each form is in ``data`` (plain ``bytes.find``: no compiled matcher)."""
        found = []
        for form in self.forms:
            pos = data.find(form)
            while pos >= 0:
                found.append((pos, pos + len(form)))
                pos = data.find(form, pos + 1)
        return found


class EngineMask(CrudeMask):
    """The engine's masker, every form of each secret; :class:`CrudeMask` when it cannot be
    built, and from the read on which it fails (the bytes each stream carries go with it)."""

    def __init__(self, secrets: Sequence[str]) -> None:
        super().__init__(secrets)
        self._masker: Masker | None = None
        with contextlib.suppress(Exception):  # the crude mask needs nothing that may break
            self._masker = _engine_masker(secrets)

    def feed(self, stream: int, data: bytes, *, final: bool = False) -> bytes:
        if self._masker is None:
            return super().feed(stream, data, final=final)
        masker, out = self._masker, self._carry.pop(stream, b"") + data
        try:
            # ``alone``: the next read is masked without this one (a URL's scheme waits).
            cut = len(out) if final else len(out) - masker.held(out, alone=True)
            cut = masker.safe_cut(out, cut)
            shown = masker.mask(out[:cut])
        except Exception:
            self._masker = None
            return super().feed(stream, out, final=final)
        if cut < len(out):
            self._carry[stream] = out[cut:]
        return shown

    def mask_text(self, text: str) -> str:
        with contextlib.suppress(Exception):
            if self._masker is not None:
                return self._masker.mask_text(text)
        return super().mask_text(text)


class LearningMask(EngineMask):
    """:class:`EngineMask`, and the secrets the step declares to any CI (``::add-mask::``,
    an Octopus sensitive variable...) learned from its lines and masked from then on: the
    engine's own fail-open form (``Passthrough.passthrough_forms``), a command's line held to
    its end to be read whole; a declaration to the CI in use (``ci``, as ``--ci`` names it)
    passes as written. :class:`EngineMask` when it cannot be built or fails."""

    def __init__(self, secrets: Sequence[str], ci: str = "auto") -> None:
        super().__init__(secrets)
        self._learning: Secrets | None = None
        with contextlib.suppress(Exception):  # the masks above need nothing that may break
            from ..dialects import choose
            from ..engine.core import Core
            from ..engine.policy import Policy

            self._learning = Core(Policy(masks=tuple(secrets)), choose(ci, os.environ)).secrets
        self._ahead = {1: StreamLines(), 2: StreamLines()}

    def passed(self, stream: int, data: bytes) -> None:
        self._ahead[stream].passed(data)

    def learn_ahead(self, stream: int, data: bytes) -> None:
        """What ``data``, read from ``stream`` ahead of its turn, declares: learned before
        the other stream's chunk read before it is fed (a use of it there right after)."""
        lines = self._ahead[stream].whole(data)
        if self._learning is not None and lines:
            with contextlib.suppress(Exception):  # met again, and handled, in its turn
                self._learning.learn_ahead(lines)

    def feed(self, stream: int, data: bytes, *, final: bool = False) -> bytes:
        learning = self._learning
        if learning is not None:
            try:
                return learning.failing.passthrough_forms(stream, data, final=final, learn=True)[1]
            except Exception:
                self._learning = None
                for each in (1, 2):  # what it carried goes on with the masks above
                    self._carry[each] = learning.failing.carried(each)
        return super().feed(stream, data, final=final)


def _engine_masker(secrets: Sequence[str]) -> Masker:
    """:func:`.mask.masker_of` (which CI is in use may be what failed to be read), its
    matcher compiled now: a failure shows here, not mid-step."""
    masker = masker_of(secrets)
    masker.mask(b"@")
    return masker


def say_internal_error(secrets: Sequence[str]) -> None:
    """One line for what broke (in an ``except`` block); the traceback with ``-v``. From
    here on, logtrim's messages are masked with ``secrets`` (the error's text may hold one)."""
    import sys

    from .._log import logger, mask_with

    mask_with(EngineMask(secrets).mask_text)

    exc = sys.exc_info()[1]
    what = f"{type(exc).__name__}: {exc}"
    logger().warning(f"internal error ({what}); running the command unfiltered")
    logger().debug("the internal error", exc_info=True)


def run_masked(
    argv: Sequence[str],
    secrets: Iterable[str],
    budget: int,
    ci: str,
    times: tuple[float, float],
) -> int:
    """Run ``argv``: its output masked and under ``budget``, the commands of the CI in use
    (``ci``) read as it reads them; ``times``: the drain timeout (read on that long after it
    exits) and the grace period (SIGKILL that long after a stopping signal); its exit code,
    as a shell's."""
    drain, grace = times
    secrets = list(secrets)
    mask, shown = LearningMask(secrets, ci), HeadTail(max(budget - 512, 0), archived=False)
    try:
        child = _popen(list(argv))
    except OSError as exc:
        from .process import start_error

        error = start_error(argv[0], exc, secrets)
        _write(2, f"logtrim: error: {error}\n".encode())
        _mark(ci, error)
        return error.exit_code
    signals = LastSignals(child, grace)
    signals.install()
    show = _Show()
    try:
        with child:
            held = pump(child, mask, shown, show, drain, signals.tick)
    finally:
        signals.restore()
    show(shown.finish())
    show.end_lines()  # logtrim's notes below start lines of their own, as in a normal run
    if held:
        _write(2, _HELD.format(drain).encode())
    _write(2, b"logtrim: no archive was written (internal error before the step started)\n")
    code = child.returncode
    return 128 - code if code < 0 else code


def _mark(ci: str, error: LogtrimError) -> None:
    """The CI's failure mark for a step that could not start, as a normal run prints it."""
    with contextlib.suppress(Exception):
        from ..dialects import choose
        from .startmark import mark_start_failed

        mark_start_failed(choose(ci, os.environ), error)


_HELD = (
    "logtrim: warning: the command exited, but a process it started still held its output "
    "{:g}s later (--drain-timeout): what it writes from now on is not shown\n"
)


def _popen(argv: list[str]) -> subprocess.Popen[bytes]:
    """Start ``argv`` (a text file without ``#!`` through ``/bin/sh``, as a normal run)."""
    try:
        # Its own process group, as in a normal run: logtrim forwards the signals it gets.
        from .inherited import passed

        return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=os.name != "nt", pass_fds=passed())  # fmt: skip
    except OSError as exc:
        from .process import as_script

        script = as_script(argv, exc)
        if script is None:
            raise
        return _popen(script)


class _Show:
    """Writes what the pump shows to stdout and stderr, and knows which has a line open."""

    def __init__(self) -> None:
        self._open: set[int] = set()

    def __call__(self, emits: Iterable[tuple[int, bytes]]) -> None:
        for stream, data in emits:
            fd = 1 if stream == 1 else 2
            _write(fd, data)
            if data:
                (self._open.discard if data.endswith(b"\n") else self._open.add)(fd)

    def end_lines(self) -> None:
        for fd in sorted(self._open):
            _write(fd, b"\n")
        self._open.clear()


def _write(fd: int, data: bytes) -> None:
    view = memoryview(data)
    with contextlib.suppress(OSError):  # a reader that left: the step still runs to its end
        while view:
            view = view[os.write(fd, view) :]


def known_secrets(given: dict[str, object], mask: Sequence[str]) -> list[str]:
    """The secrets a run was told about, read without the settings machinery (which may be
    what failed): ``--mask`` values, and the values of ``--mask-env`` and
    ``LOGTRIM_MASK_ENV`` names."""
    names = [str(n) for n in given.get("mask_env") or ()]  # type: ignore[attr-defined]
    names += os.environ.get("LOGTRIM_MASK_ENV", "").split(",")
    found, _unset = masks_from(tuple(n.strip() for n in names if n.strip()), [], os.environ)
    return [v for v in [*mask, *found] if v]
