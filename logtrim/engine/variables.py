"""Which token positions of a shape vary in a good run: a line matching a good run's shape up
to such tokens is not new. Sans-IO.

The template (:mod:`.templates`) replaces numbers, ids, paths and quoted strings, but not
every value a run prints: host names (``mirror.example.org``), relative paths
(``doc/index``), dotted names, ``key=value`` pairs. Two good-run lines whose shapes are the
same but for one such token (the *skeleton*: the shape with that token cut out) say that the
position holds a value; a failing run's line with that skeleton and any value there is then
known too, as ``logjuicer`` and similar tools find with a distance between lines.

Only *data-like* tokens take part: one holding anything but letters and ``_`` (apart from
brackets, quotes and punctuation at its ends). Words never do: ``Tests FAILED`` is not
``Tests PASSED``, ``in _main`` not ``in main``. A shape needs at least :data:`MIN_WORDS`
tokens (``raise x.Error(...)`` says too little without its value), at most
:data:`MAX_WORDS`.

A skeleton that varies is kept as a 64-bit hash among the good run's shape hashes (a prefix
sets it apart from any shape), so an index, an archive's trailer and a union of runs carry
them with no change of format.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from hashlib import blake2b

MIN_WORDS = 3
MAX_WORDS = 48
#: Skeletons remembered with their first value, at most (about 10 MB); past it, only the
#: ones remembered can still turn out to vary (fewer lines count as known: the safe side).
FIRST_CAP = 1 << 17
_PREFIX = b"\x00var\x00"
# A data-like token: from a blank or a line start, a run of non-blanks holding a char that
# is not a letter, ``_`` or end punctuation, or such punctuation between two letters.
# (An apostrophe between letters is a word's: ``can't``.)
_END = rb"()\[\]'\":,.;!?"
_INNER = rb"()\[\]\":,.;!?"
_DATA = re.compile(
    rb"(?<![^ \n])[^ \n]*?(?:[^A-Za-z_ \n" + _END + rb"]|[A-Za-z_][" + _INNER + rb"]+[A-Za-z_])"
    rb"[^ \n]*"
)


def _hash(skeleton: bytes) -> int:
    # As :func:`.baseline.shape_hash`, which the prefix keeps apart.
    return int.from_bytes(blake2b(_PREFIX + skeleton, digest_size=8).digest(), "little")


def skeletons(shape: bytes) -> list[tuple[int, bytes]]:
    """``(skeleton hash, value)`` for each data-like token of a shape (blanks single)."""
    if not MIN_WORDS - 1 <= shape.count(b" ") < MAX_WORDS:
        return []
    return [
        (_hash(shape[: m.start()] + b"\x00" + shape[m.end() :]), m.group())
        for m in _DATA.finditer(shape)
    ]


def known_by_skeleton(shape: bytes, known: set[int] | frozenset[int]) -> bool:
    """Whether a shape matches a known one up to a token that varies there."""
    return any(h in known for h, _ in skeletons(shape))


class Variables:
    """Learns, over a good run's distinct shapes, the skeletons whose token varies."""

    def __init__(self) -> None:
        self.first: dict[int, int] = {}  # skeleton -> hash of its first value (bounded)
        self.varying: set[int] = set()  # skeletons seen with two values or more

    def learn(self, shapes: Iterable[bytes]) -> list[int]:
        """The skeletons that turn out to vary with these (new, distinct) shapes."""
        first, varying = self.first, self.varying
        found = []
        for shape in shapes:
            for skel, value in skeletons(shape):
                if skel in varying:
                    continue
                had = first.get(skel)
                if had is None:
                    if len(first) < FIRST_CAP:
                        first[skel] = hash(value)
                elif had != hash(value):
                    varying.add(skel)
                    found.append(skel)
        return found
