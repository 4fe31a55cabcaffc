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

A long shape that lists items (:data:`BAG_WORDS` tokens or more, two ``, `` or more) is
also known by its *bag*: its tokens in sorted order, brackets and commas left out. A mapping
or a set printed by a language whose order varies from run to run (``{'id': .., 'state':
..}``) has the same bag in every order; in a line that long, the same tokens in another
order rarely mean another thing.

A skeleton that varies, and a long shape's bag, are kept as 64-bit hashes among the good
run's shape hashes (a prefix sets each kind apart from any shape), so an index, an
archive's trailer and a union of runs carry them with no change of format.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from hashlib import blake2b

MIN_WORDS = 3
MAX_WORDS = 48
BAG_WORDS = 10
#: Skeletons remembered with their first value, at most (about 10 MB); past it, only the
#: ones remembered can still turn out to vary (fewer lines count as known: the safe side).
FIRST_CAP = 1 << 17
_PREFIX = b"\x00var\x00"
_BAG = b"\x00bag\x00"
_BRACKETS = b"{}[]()<>,;"
# A data-like token: from a blank or a line start, a run of non-blanks holding a char that
# is not a letter, ``_`` or end punctuation, or such punctuation between two letters.
# (An apostrophe between letters is a word's: ``can't``.)
_END = rb"()\[\]'\":,.;!?"
_INNER = rb"()\[\]\":,.;!?"
_DATA = re.compile(
    rb"(?<![^ \n])[^ \n]*?(?:[^A-Za-z_ \n" + _END + rb"]|[A-Za-z_][" + _INNER + rb"]+[A-Za-z_])"
    rb"[^ \n]*"
)


def _hash(skeleton: bytes, prefix: bytes = _PREFIX) -> int:
    # As :func:`.baseline.shape_hash`, which the prefix keeps apart.
    return int.from_bytes(blake2b(prefix + skeleton, digest_size=8).digest(), "little")


def bag(shape: bytes) -> int | None:
    """The hash of a long shape's bag of tokens (None: a shorter shape has none)."""
    if shape.count(b" ") < BAG_WORDS - 1 or shape.count(b", ") < 2:
        return None
    # Brackets and commas dropped: a mapping's first and last items carry its braces.
    return _hash(b" ".join(sorted(shape.translate(None, _BRACKETS).split(b" "))), _BAG)


def _cuts(shape: bytes) -> list[tuple[bytes, bytes]]:
    """``(skeleton, value)`` for each data-like token of a shape (blanks single)."""
    if not MIN_WORDS - 1 <= shape.count(b" ") < MAX_WORDS:
        return []
    return [
        (shape[: m.start()] + b"\x00" + shape[m.end() :], m.group()) for m in _DATA.finditer(shape)
    ]


def known_by_skeleton(shape: bytes, known: set[int] | frozenset[int]) -> bool:
    """Whether a shape matches a known one up to a token that varies there, or up to the
    order of its tokens (a long one)."""
    return bag(shape) in known or any(_hash(skel) in known for skel, _ in _cuts(shape))


class Variables:
    """Learns, over a good run's distinct shapes, the skeletons whose token varies (and
    gives the long shapes' bags)."""

    def __init__(self) -> None:
        self.first: dict[int, int] = {}  # skeleton -> its first value (hash()es; bounded)
        self.varying: set[int] = set()  # skeletons seen with two values or more (hash()es)

    def learn(self, shapes: Iterable[bytes]) -> list[int]:
        """The bags of these (new, distinct) shapes and the skeletons that turn out to vary
        with them."""
        first, varying = self.first, self.varying
        found = []
        for shape in shapes:
            whole = bag(shape)
            if whole is not None:
                found.append(whole)
            for skel, value in _cuts(shape):
                # Python's own hash while learning (C speed; this process only), the stable
                # one for the few skeletons that vary.
                key = hash(skel)
                if key in varying:
                    continue
                had = first.get(key)
                if had is None:
                    if len(first) < FIRST_CAP:
                        first[key] = hash(value)
                elif had != hash(value):
                    varying.add(key)
                    found.append(_hash(skel))
        return found
