"""The last state of a line redrawn with carriage returns that grows too long to hold.

A progress bar redrawn thousands of times (``\\rprogress 1%`` ... ``\\rprogress 100%``, then
its newline) may pass 1 MiB before it ends: it then comes in pieces (engine/flow/lines.py) and the
console shows its start only, cut (engine/flow/intake.py). A person wants its last state, as a
line under 1 MiB shows it (:func:`.display.display`: the last part after a ``\\r`` that is not
blank). A part of the :class:`~.intake.Intake`: it keeps what follows each stream's last
``\\r`` (bounded), and at the line's end says what state the start shown did not have.
"""

from __future__ import annotations


class _Line:
    """One stream's long line: its parts between carriage returns, the last two kept."""

    def __init__(self, covered: int) -> None:
        self.covered = covered  # the bytes of the line its start on the console came from
        self.offset = 0  # the bytes of the line read so far
        self.part = b""  # what follows the line's last ``\r`` so far (its first bytes)
        self.part_at = 0  # where it starts in the line
        self.before = b""  # the last part before it that is not blank
        self.before_at = 0


class Redraws:
    """Each stream's long line being read, as a redraw (see the module docstring)."""

    def __init__(self) -> None:
        self._lines: dict[int, _Line] = {}

    def begin(self, stream: int, covered: int | None) -> None:
        """A long line starts; ``covered``: the bytes its start shown came from (None: its
        start was not shown, so no state of it is either)."""
        if covered is None:
            self._lines.pop(stream, None)
        else:
            self._lines[stream] = _Line(covered)

    def feed(self, stream: int, data: bytes, keep: int) -> None:
        """The next bytes of the stream's long line; ``keep``: the bytes of a part to keep
        (a part longer is shown by its start, cut, as a long line is)."""
        line = self._lines.get(stream)
        if line is None:
            return
        cr = data.rfind(b"\r")
        if cr >= 0:
            # The last part not blank before the last \r: looked for from the end (a bar's
            # parts are all states: the first one looked at is the one).
            end, part = cr, b""
            while end >= 0:
                start = data.rfind(b"\r", 0, end) + 1
                part = data[start:end] if start else line.part + data[:end]
                if part.strip() or not start:
                    break
                end = start - 1
            if part.strip():
                line.before = part[:keep]
                line.before_at = line.offset + start if start else line.part_at
            line.part_at = line.offset + cr + 1
            line.part = data[cr + 1 : cr + 1 + keep]
        elif len(line.part) < keep:
            line.part += data[: keep - len(line.part)]
        line.offset += len(data)

    def end(self, stream: int) -> bytes | None:
        """The stream's long line ended: its last state (raw, no newline) when the start
        shown had not come to it (the state begins past the bytes it came from), else None."""
        line = self._lines.pop(stream, None)
        if line is None:
            return None
        part = line.part.rstrip(b"\n")
        state, at = (part, line.part_at) if part.strip() else (line.before, line.before_at)
        return state if at >= line.covered and state.strip() else None
