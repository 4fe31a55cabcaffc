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

A run meets mostly the shapes its baseline had: the load keeps each shape's cuts (their
hashes, :class:`Cuts`), and the run's own learning takes them from there instead of cutting
the shape again.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable
from hashlib import blake2b

from ..._regex import lazy

MIN_WORDS = 3
MAX_WORDS = 48
BAG_WORDS = 10
#: Skeletons remembered with their first value, at most (about 10 MB); past it, only the
#: ones remembered can still turn out to vary (fewer lines count as known: the safe side).
FIRST_CAP = 1 << 17
_GROUP = re.Match.group
_PREFIX = b"\x00var\x00"
_BAG = b"\x00bag\x00"
_BRACKETS = b"{}[]()<>,;"
# A data-like token: from a blank or a line start, a run of non-blanks holding a char that
# is not a letter, ``_`` or end punctuation, or such punctuation between two letters.
# (An apostrophe between letters is a word's: ``can't``.)
_END = rb"()\[\]'\":,.;!?"
_INNER = rb"()\[\]\":,.;!?"
_DATA = lazy(
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


def known_by_skeleton(shape: bytes, known: Container[int]) -> bool:
    """Whether a shape matches a known one up to a token that varies there, or up to the
    order of its tokens (a long one), or up to one id spelled in digits alone."""
    return (
        bag(shape) in known
        or any(_hash(skel) in known for skel, _ in _cuts(shape))
        or _known_by_alias(shape, known)
    )


# An id in hex is ``<hex>`` when it holds a letter, ``<n>`` when it happens to be all digits
# (a 7-character commit hash is, once in 27; a 16-character etag once in 1,800).
_IDS = lazy(rb"<n>|<hex>")
_ALIASES = 8  # placeholders tried, at most (only a shape not known otherwise is tried)


def _known_by_alias(shape: bytes, known: Container[int]) -> bool:
    """Whether a shape is a known one but for one ``<n>`` that was ``<hex>`` there, or the
    other way round."""
    for i, m in enumerate(_IDS.finditer(shape)):
        if i == _ALIASES:
            break
        other = b"<hex>" if m.group() == b"<n>" else b"<n>"
        if _hash(shape[: m.start()] + other + shape[m.end() :], b"") in known:
            return True
    return False


#: Shapes whose cuts a keeping :class:`Variables` remembers, and their cuts at most (10 MB;
#: a 64 MB log's 10,052 shapes and 50,133 cuts take 6 MB).
MEMO_SHAPES = 1 << 15
MEMO_CUTS = 1 << 16


#: A shape's cuts: its bag (None: too short), the ``hash()`` of each skeleton, of each value.
Cut = tuple[int | None, tuple[int, ...], tuple[int, ...]]


class Cuts:
    """What a good run's load learnt of each shape, for a run that meets the same shapes: by
    shape hash, its bag and the ``(hash(skeleton), hash(value))`` of each data-like token (Python's
    hashes: this process only); and the stable hash of each skeleton found to vary. A run's
    own :class:`Variables` then needs no regex for those shapes (bounded: see MEMO_*)."""

    def __init__(self) -> None:
        self.shapes: dict[int, Cut] = {}
        self.stable: dict[int, int] = {}  # hash(skeleton) -> _hash(skeleton)
        self._count = 0  # cuts held

    def keep(self, shape: int, cut: Cut) -> None:
        if len(self.shapes) < MEMO_SHAPES and self._count + len(cut[1]) <= MEMO_CUTS:
            self.shapes[shape] = cut
            self._count += len(cut[1])


class Variables:
    """Learns, over a good run's distinct shapes, the skeletons whose token varies (and
    gives the long shapes' bags)."""

    def __init__(self, *, keep: bool = False) -> None:
        self.first: dict[int, int] = {}  # skeleton -> its first value (hash()es; bounded)
        self.varying: set[int] = set()  # skeletons seen with two values or more (hash()es)
        # With ``keep``: each shape's cuts, for a run that takes over the load (:class:`Cuts`).
        self.kept: Cuts | None = Cuts() if keep else None
        self.known: Cuts | None = None  # a load's: the cuts of shapes it met, not cut again

    def learn(self, shapes: Iterable[bytes]) -> list[int]:
        """The bags of these (new, distinct) shapes and the skeletons that turn out to vary
        with them."""
        return self.learn_hashed((0, shape) for shape in shapes)

    def learn_hashed(self, shapes: Iterable[tuple[int, bytes]]) -> list[int]:
        """:meth:`learn` for ``(shape hash, shape)`` pairs (the hash finds a shape's cuts
        in :attr:`known`; :attr:`kept` records them)."""
        first, varying, kept = self.first, self.varying, self.kept
        memo = self.known.shapes if self.known is not None else {}
        found = []
        for h, shape in shapes:
            got = memo.get(h) if memo else None
            if got is None:
                got, skels = _hashed_cuts(shape)
            else:
                skels = None
            if kept is not None and len(kept.shapes) < MEMO_SHAPES:
                kept.keep(h, got)
            whole, keys, values = got
            if whole is not None:
                found.append(whole)
            # Python's own hash while learning (C speed; this process only), the stable one
            # for the few skeletons that vary.
            for key, value in zip(keys, values, strict=True):
                if key in varying:
                    continue
                had = first.get(key)
                if had is None:
                    if len(first) < FIRST_CAP:
                        first[key] = value
                elif had != value:
                    varying.add(key)
                    stable = self._stable(key, shape, skels)
                    found.append(stable)
                    if kept is not None:
                        kept.stable[key] = stable
        return found

    def _stable(self, key: int, shape: bytes, skels: list[bytes] | None) -> int:
        """The stable hash of the skeleton ``key`` of ``shape`` (its cuts made again if a
        load's memo lacks it)."""
        if skels is None:
            known = self.known.stable.get(key) if self.known is not None else None
            if known is not None:
                return known
            skels = [skel for skel, _ in _cuts(shape)]
        return _hash(next(skel for skel in skels if hash(skel) == key))


def _hashed_cuts(shape: bytes) -> tuple[Cut, list[bytes]]:
    """A shape's :data:`Cut`, and its skeletons (as :func:`_cuts`, in two lists)."""
    whole = bag(shape)
    if not MIN_WORDS - 1 <= shape.count(b" ") < MAX_WORDS:
        return (whole, (), ()), []
    found = list(_DATA.finditer(shape))
    skels = [shape[: m.start()] + b"\x00" + shape[m.end() :] for m in found]
    return (whole, tuple(map(hash, skels)), tuple(map(hash, map(_GROUP, found)))), skels
