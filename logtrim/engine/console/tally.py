"""The counts of a run: lines and bytes seen and shown per tier, and the summary that says them."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..._regex import lazy
from ..._sizes import format_count, format_size
from ..match.kinds import TIERS, Kind


@dataclass
class Tally:
    """Lines and bytes seen and shown, per tier."""

    seen_lines: dict[Kind, int] = field(default_factory=lambda: dict.fromkeys(Kind, 0))
    seen_bytes: dict[Kind, int] = field(default_factory=lambda: dict.fromkeys(Kind, 0))
    shown_lines: dict[Kind, int] = field(default_factory=lambda: dict.fromkeys(Kind, 0))
    shown_bytes: dict[Kind, int] = field(default_factory=lambda: dict.fromkeys(Kind, 0))
    collapsed: int = 0
    held_lines: int = 0  # lines a tier would show but the budget held back
    held_bytes: int = 0
    tail_lines: int = 0  # lines shown in the failure tail
    context_lines: int = 0  # lines shown around errors and in stack traces
    # Lines shown as a service message that also count in the tier of the text around it.
    both_lines: int = 0
    # Lines a --drop rule kept off where every line is shown (the verbatim part, the head):
    # no gap, so no marker of their own (one per line dropped from interleaved output).
    dropped_lines: int = 0
    new_shapes: int | None = None  # with a baseline: line shapes no good run had
    known: dict[Kind, int] | None = None  # ... and lines good runs also print, by own tier
    # Lines and bytes not shown per tier at the last :meth:`checkpoint`.
    _mark: dict[Kind, tuple[int, int]] = field(default_factory=dict, repr=False)

    def checkpoint(self) -> dict[Kind, tuple[int, int]]:
        """Lines and bytes not shown, per tier, since the previous checkpoint."""
        now = {
            k: (self.seen_lines[k] - self.shown_lines[k], self.seen_bytes[k] - self.shown_bytes[k])
            for k in Kind
        }
        delta = {}
        for k, (lines, nbytes) in now.items():
            old_lines, old_bytes = self._mark.get(k, (0, 0))
            delta[k] = (lines - old_lines, nbytes - old_bytes)
        self._mark = now
        return delta

    def summary(
        self,
        *,
        lines: int,
        nbytes: int,
        console: int,
        duration: float | None,
        archive: str | None,
        archive_size: int,
        archived: int,
        compact: bool = False,
        interrupted: str | None = None,
        lost: str | None = None,
        gone: bool = False,
    ) -> list[str]:
        shown_lines = sum(self.shown_lines.values()) + self.tail_lines + self.context_lines
        shown_lines -= self.both_lines
        share = 100.0 * console / nbytes if nbytes else 100.0
        head = (
            f"[logtrim] {lines_text(lines)} ({format_size(nbytes)})"
            + (f" in {_duration(duration)}" if duration is not None else "")
            + (f", interrupted by {interrupted}" if interrupted else "")
            + "; "
            # The console's bytes for them (masks, cut notes included): a mask longer than
            # the secret it replaces can make them more than the bytes written.
            f"shown {lines_text(shown_lines)} ({format_size(console)} printed"
            # (every line shown: no share, though a CRLF printed as LF makes fewer bytes)
             + (f", {_share(share)})" if share < 100 and shown_lines < lines else ")")
        )
        if self.dropped_lines:
            # (later ones are in the markers' counts, with the other lines not shown)
            head += f"; {lines_text(self.dropped_lines)} dropped (--drop) before filtering"
        if self.new_shapes is not None:
            shapes = "shape" if self.new_shapes == 1 else "shapes"
            head += f"; {format_count(self.new_shapes)} new line {shapes} against the baseline"
        if compact:  # (no breakdown line: the short form still says what a tier lost)
            head += self._hidden()
        out = [head]
        if not compact:
            out += self._breakdown()
        if archive:
            smaller = archive_size and archived / archive_size >= 1.05
            ratio = f", {archived / archive_size:.1f}x smaller" if smaller else ""
            out.append(f"[logtrim] archive: {archive} ({format_size(archive_size)}{ratio})")
        elif lost and gone:  # (removed while it was written: nothing to point at)
            out.append(f"[logtrim] archive: none: writing {lost} failed (see the warning "
                       "above) and no file is left there")  # fmt: skip
        elif lost:
            out.append(f"[logtrim] archive: {lost} is incomplete: writing it failed (see the "
                       "warning above); it holds the output up to then")  # fmt: skip
        return out

    def _hidden(self) -> str:
        """``; 83 of 100 warnings not shown``, per tier of errors and warnings, for the short
        summary: without it, a small budget's warnings stop unsaid (the markers count lines,
        not tiers)."""
        parts = [
            f"{format_count(seen - shown)} of {format_count(seen)} {TIERS[k].plural}"
            for k in (Kind.ERROR, Kind.WARNING)
            if (seen := self.seen_lines[k]) > (shown := self.shown_lines[k])
        ]
        return f"; {' and '.join(parts)} not shown" if parts else ""

    def _breakdown(self) -> list[str]:
        """The summary's detail lines: shown/seen per tier, the baseline, what was held."""
        out: list[str] = []
        tiers = " · ".join(
            f"{TIERS[k].plural} {format_count(self.shown_lines[k])}/"
            f"{format_count(self.seen_lines[k])}"
            for k in (Kind.ERROR, Kind.WARNING, Kind.INFO, Kind.PROGRESS, Kind.NOISE)
        )
        # Kept lines and service messages count in "shown N lines" too: named when there
        # are any, so the parts add up to the whole.
        extra = "".join(
            f" · {TIERS[k].plural} {format_count(self.shown_lines[k])}/"
            f"{format_count(self.seen_lines[k])}"
            for k in (Kind.KEEP, Kind.SERVICE)
            if self.seen_lines[k] or self.shown_lines[k]
        )
        extra += f" · context {format_count(self.context_lines)}"
        if self.tail_lines:
            extra += f" · tail {format_count(self.tail_lines)}"
        out.append(f"[logtrim]   shown/seen: {tiers}{extra}")
        if self.known and any(self.known.values()):
            # Else "warnings 0/0" reads as if the run had none.
            known = " · ".join(
                f"{TIERS[k].plural} {format_count(n)}"
                for k, n in sorted(self.known.items(), reverse=True)
                if n  # ("warnings 0" says nothing)
            )
            out.append(f"[logtrim]   known to the baseline (each shown a tier lower): {known}")
        # Only what happened: "collapsed 0" beside a tail's "... 40 similar lines ..." read
        # as a contradiction. "Similar", as the markers of the lines collapsed say.
        parts = [f"collapsed {lines_text(self.collapsed, 'similar ')}"] if self.collapsed else []
        if self.held_lines:
            parts.append(
                f"held back for budget {lines_text(self.held_lines)} "
                f"({format_size(self.held_bytes)})"
            )
        if parts:
            out.append("[logtrim]   " + "; ".join(parts))
        return out


def _share(percent: float) -> str:
    """The console's share of the output: ``0.0%`` reads as nothing printed."""
    return "<0.1%" if 0 < percent < 0.05 else f"{percent:.1f}%"


#: Lines left out that are at most this many times as long as the marker that would count
#: them are shown instead of it (the gap's few lines, one similar line): the marker says less.
WORTH = 2


def gap_note(lines: int, nbytes: int = 0, *, sized: bool = True) -> bytes:
    """The marker of ``lines`` lines (``nbytes`` bytes) not shown: ``[logtrim] ... 3 lines
    (1.2 kB) not shown ...`` (without the size unless ``sized``); empty for none."""
    if lines <= 0:
        return b""
    if sized and lines < 1000 and nbytes < 1e5:
        # The common markers (one per line shown), as below with format_size's two
        # smallest units, in one bytes format: no call, no str to encode.
        ends = b"s" if lines != 1 else b""
        if nbytes < 1e3:
            return b"[logtrim] ... %d line%b (%d B) not shown ...\n" % (lines, ends, nbytes)
        kb = nbytes / 1e3
        return b"[logtrim] ... %d line%b (%.3g kB) not shown ...\n" % (lines, ends, kb)
    size = f" ({format_size(nbytes)})" if sized else ""
    plural = "s" if lines != 1 else ""
    count = str(lines) if lines < 1000 else format_count(lines)  # one call less, per line
    return f"[logtrim] ... {count} line{plural}{size} not shown ...\n".encode()


#: A line :func:`gap_note` wrote (sized or not).
GAP_LINE = lazy(rb"\[logtrim\] \.\.\. [\d,]+ lines?(?: \([^)\n]*\))? not shown \.\.\.\n\Z")


def lines_text(n: int, kind: str = "") -> str:
    """``1 line``, ``2,345 lines`` (``kind``: ``2 similar lines``)."""
    return f"{format_count(n)} {kind}line{'' if n == 1 else 's'}"


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"


__all__ = ["GAP_LINE", "WORTH", "Tally", "gap_note", "lines_text"]
