"""Lines that differ only in their ids (a request's UUID, a commit's hash): the lean path of
:mod:`..flow.similar` counts a run of them at once when each line has the first's template
and reason rank, which holds when the ids are each a UUID or one hex word (:class:`IdRun`).

Whether a block of lines is of the run is read in C where it can be (translations, strided
slices, ``find``); the regex of hex ids (:data:`.templates.HEX_ID`) decides the rest.
"""

from __future__ import annotations

from ..._regex import lazy
from .templates import DIGITS_TO_ZERO, HEX_ID

_HEX_TO_HASH = bytes.maketrans(b"0123456789abcdefABCDEF", b"#" * 22)
# A hex digit's kind: a digit as ``0``, a letter as ``L``.
_KINDS = bytes.maketrans(b"0123456789abcdefABCDEF", b"0" * 10 + b"L" * 12)
_HASH = ord("#")
# What the template's regex may read with an id's first digits: a word's part (``<``, ``>``),
# a time's fraction (``12:41:05,1234abcd``), a zone (``...T12:41:00+0530abcd``), a time's
# next field (``12:41:00abcdef``).
_TAKEN_BEFORE = (b">", b"<", b",", b"+", b":")
_UUID = lazy(rb"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def hex_form(form: bytes) -> bytes:
    """A digits-to-zero ``form`` with each hex id's digits and letters as ``#``, its dashes
    kept (a UUID keeps a UUID's shape)."""
    return HEX_ID.sub(lambda m: m.group().translate(_HEX_TO_HASH), form)


class IdRun:
    """The lines of a run whose ids alone differ from its first line's (``form``: digits as
    ``0``, with its newline); see :meth:`of`."""

    def __init__(self, form: bytes, ids: list[tuple[int, int]]) -> None:
        self.size = len(form)
        self.shape = hex_form(form)
        self._hashed = form.translate(_HEX_TO_HASH)
        inside = {j for start, end in ids for j in range(start, end)}
        # The hex digits and letters outside the ids (a word's ``f``, ``a``, ``e``, ``d``):
        # the translation to ``#`` hides which they are; each is compared on its own.
        self._exact = [
            (j, form[j : j + 1])
            for j, byte in enumerate(self._hashed)
            if byte == _HASH and j not in inside
        ]
        # An id of digits alone or letters alone is no id to the regex: another template.
        self._no_ids = []
        for start, end in ids:
            left = form[start - 1 : start] or b"\n"  # (a line's start: the newline before it)
            kinds = form[start:end].translate(_KINDS)
            for kind in (b"0", b"L"):
                alone = bytes(c if c == ord("-") else kind[0] for c in kinds)
                self._no_ids.append(left + alone + form[end : end + 1])

    @classmethod
    def of(cls, form: bytes) -> IdRun | None:
        """The run a line of this digits-to-zero ``form`` may start, if it has ids and each
        is a UUID or one hex word where the template's regex reads it whole (not after a
        ``,``, ``+`` or ``:`` that may end a time, nor beside a ``<`` or ``>``): then a line
        of the same :func:`hex_form` has its template (``<uuid>``, ``<hex>``) whatever the
        ids' digits and letters. Else None."""
        if b"#" in form:
            return None
        ids = []
        for found in HEX_ID.finditer(form):
            token, start, end = found.group(), found.start(), found.end()
            if (
                (b"-" in token and _UUID.fullmatch(token) is None)
                or form[start - 1 : start] in _TAKEN_BEFORE
                or form[end : end + 1] in (b">", b"<")
            ):
                return None
            ids.append((start, end))
        return cls(form, ids) if ids else None

    def alike(self, block: bytes, lines: int) -> bool:
        """Whether the ``lines`` whole lines of ``block`` (raw, no ``#`` in them) are each of
        the run, read in C; False: some may not be (:func:`hex_form` decides)."""
        if block.translate(_HEX_TO_HASH) != self._hashed * lines:
            return False  # a byte that is no hex digit differs, or an id's place
        form, size = block.translate(DIGITS_TO_ZERO), self.size
        if any(form[j::size] != byte * lines for j, byte in self._exact):
            return False
        kinds = (b"\n" + block).translate(_KINDS)
        return not any(alone in kinds for alone in self._no_ids)


__all__ = ["IdRun", "hex_form"]
