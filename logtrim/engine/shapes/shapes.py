"""Sets of line shapes: a good run's, or a run's own (:mod:`.baseline` compares them). Sans-IO.

A line's *shape* is its template (:mod:`.templates`) with runs of blanks as one and none at
either end, hashed to 64 bits (:func:`~.shaper.shape_hash`). Bounded: a set holds at most
``cap`` shapes (:data:`SHAPE_CAP` by default, about 10 MB); past it, :attr:`Shapes.full` is
set and further shapes are not added.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable

from .hashset import Hashes, HashSet
from .shaper import _BLANKS, KEY_MAX, Shaper, shape_hash
from .templates import coarse, template_uncached
from .variables import FIRST_CAP, MAX_WORDS, Cuts, Variables, known_by_skeleton

#: Shapes an index holds at most: a log with more distinct shapes than this is not a run's
#: output that repeats; 131,072 hashes take about 10 MB as a Python set.
SHAPE_CAP = 1 << 17


def shape_of(line: bytes) -> bytes:
    """The shape of one line (for display: ``diff --json``, ``stats``)."""
    key = coarse(line.rstrip(b"\r\n")[:KEY_MAX])
    return _BLANKS.sub(b" ", template_uncached(key)).strip()


# The same prefix once templated (``stats`` has templates, not lines).
_TEMPLATED_PREFIX = re.compile(rb"^<ts>\S*\s+[A-Za-z]+[ \t]*\| ?|^[ \t]+\| ?")


def template_shapes(templates: Iterable[bytes], tasklog: bool = False) -> list[bytes]:
    """The shape of each template (``stats``'s, of lines of a raw task log if ``tasklog``)."""
    out = []
    for tpl in templates:
        body = _TEMPLATED_PREFIX.sub(b"", tpl, count=1) if tasklog else tpl
        out.append(_BLANKS.sub(b" ", body).strip())
    return out


def is_new(shape: bytes, known: Container[int]) -> bool:
    """Whether a shape is new against ``known`` (a good run's shapes), as a run decides it:
    not among them, nor one of them but for a token that varies there
    (:func:`~.variables.known_by_skeleton`: an etag that happens to be all digits)."""
    return shape_hash(shape) not in known and not known_by_skeleton(shape, known)


class Shapes:
    """A set of shape hashes, built from whole-line chunks (a baseline, or a run's own lines)."""

    def __init__(
        self,
        cap: int = SHAPE_CAP,
        *,
        tasklog: bool = False,
        keep: bool = False,
        compact: bool = False,
    ) -> None:
        self.cap = cap
        # ``compact``: 8 bytes a shape, not ~90 (a good run of millions of distinct lines).
        self.hashes: Hashes = HashSet() if compact else set()
        self.full = False  # the cap was reached: some shapes were not added
        self.shaper = Shaper(tasklog, keep=keep)  # its cache: the lines already added
        # Which token positions vary (engine/shapes/variables.py); with ``keep``, each shape's cuts
        # go with the Shaper to a run that takes it over.
        self._variables = Variables(keep=keep)
        self.shaper.cuts = self._variables.kept

    def feed(self, chunk: bytes) -> None:
        """Add the shapes of a chunk that ends at a line end (only the last may not)."""
        if chunk:
            self.feed_keys(self.shaper.unmet(chunk))  # most lines of a log repeat

    def feed_keys(self, keys: set[bytes]) -> None:
        """:meth:`feed` for lines already in key form (:func:`split_keys`)."""
        if keys:
            self.shaper.learn(keys)
            self.add_shapes(self.shaper.texts)

    def adopt(self, pairs: dict[bytes, int], texts: dict[int, bytes]) -> None:
        """Add lines another Shapes' Shaper of the same kind shaped (:meth:`Shaper.adopt`)."""
        self.shaper.adopt(pairs, texts)
        self.add_shapes(texts)

    def add_shapes(self, texts: dict[int, bytes]) -> None:
        """Add shapes (hash -> shape), and the skeletons their new ones show to vary."""
        fresh = [(h, text) for h, text in texts.items() if h not in self.hashes]
        self.add([h for h, _ in fresh])  # the others are in
        if fresh and not self.full:
            self.add(self._variables.learn_hashed(fresh))

    def take_cuts(self, cuts: Cuts | None) -> None:
        """Learn the shapes a load has met from its cuts (:class:`~.variables.Cuts`)."""
        self._variables.known = cuts

    def add(self, hashes: Iterable[int]) -> None:
        """Add shape hashes (from an index file, another run), up to the cap."""
        mine = self.hashes
        if self.full:
            return
        if not mine and isinstance(mine, HashSet) and isinstance(hashes, HashSet):
            self.hashes = mine = hashes  # taken, not copied (the giver is done with it)
        else:
            mine.update(hashes)
        if len(mine) > self.cap:
            # Which ones go does not matter for correctness, only that the set stays bounded.
            for _ in range(len(mine) - self.cap):
                mine.pop()
            self.full = True

    def has_room(self, shapes: int) -> bool:
        """Whether ``shapes`` more shapes (with their bags and skeletons) reach no cap: until
        one does, the set is the same whatever the order the shapes come in."""
        more = shapes * (MAX_WORDS + 2)
        return (
            not self.capped
            and len(self.hashes) + more < self.cap
            and len(self._variables.first) + more < FIRST_CAP
        )

    @property
    def capped(self) -> bool:
        """A cap was reached (shapes left out, or values of tokens not remembered): which
        ones depends on the order the lines came in."""
        return self.full or len(self._variables.first) >= FIRST_CAP

    def __len__(self) -> int:
        return len(self.hashes)


__all__ = ["SHAPE_CAP", "Shapes", "is_new", "shape_of", "template_shapes"]
