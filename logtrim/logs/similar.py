"""Which of a failing run's new shapes are *near* a good run's line: the similarity stage of
``logtrim diff``. Sans-IO.

The exact stage (:class:`~logtrim.engine.shapes.baseline.Baseline`) calls a line new when no
good-run line has its shape. A shape also differs when a single word does (a host, a unit, a
mirror, a path's last part), and such a line is rarely what broke. This stage keeps a new line
only if no good-run line is similar to it, as ``logjuicer`` (and ``logreduce`` before it) decides:

- a line becomes a set of *tokens*: its runs of ``[\\w.]`` (so a path splits into its parts)
  with a letter, of four chars or more (logjuicer drops shorter words as noise), no hex id
  (``3f2a9c01``, as logjuicer's tokenizer replaces ids) and no host name of three labels or
  more (``mirror.example.net``: a mirror, a worker, a pod say where, not what happened);
  digits count as ``0`` (as in the template);
- a measure (a number with a unit: ``6.68s``, ``250ms``, ``12kB``) is no token: a duration or
  a size changes from run to run as numbers do; a noun's plural is its singular (``1 test``,
  ``2 tests``: the same message with another count), unless that makes an error word;
- tokens weigh by their rarity in the good run (inverse document frequency over its distinct
  lines, smoothed: ``1 + ln((n + 1) / (df + 1))``, as logreduce's TF-IDF model did; a token
  no good line holds counts as held by one), so the prefix every line carries (a host, a
  program name) says little; an error word
  (:data:`ERROR_WORDS`, logjuicer's list) weighs as logjuicer's five copies of it, and a
  line is never near one that lacks one of its error words (logjuicer weighs them so that
  gaining one moves a line away; an error a good run never printed is what ``diff`` is for);
- a line is near a good one when the cosine similarity of their weighted token vectors is at
  least :data:`THRESHOLD`: 0.7, logjuicer's distance threshold of 0.3 (``1 - cosine > 0.3``
  is an anomaly there). In a line of several words one word changed still leaves it near; in
  a line of three, it does not (a third of the line);
- a line with no token (only numbers, ids, short words, punctuation: ``}``, ``[100%]``, a
  chunk length) is near any other such line, as logjuicer's tokenizer makes every line of
  one word a single token: one the good run also printed is not reported.

Finding the nearest good-run line: an inverted index (token -> token sets holding it) and
*prefix filtering*: a set ``B`` with cosine >= t to ``A`` shares at least ``t²`` of ``A``'s
weight (squared norm), so it holds one of the heaviest tokens of ``A`` that make up more than
the other ``1 - t²``; only the sets listed under those are compared.

Bounded: at most :data:`INDEX_CAP` distinct token sets, of :data:`VOCAB_CAP` distinct tokens,
are indexed (past either, a line near only an unindexed one is still shown: the safe side);
a query compares at most :data:`CANDIDATE_CAP` of them, and all queries together
:data:`WORK_CAP` (past either, the line counts as new).
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable

#: logjuicer's threshold: distance ``1 - cosine`` above 0.3 is an anomaly.
THRESHOLD = 0.7
#: logjuicer's tokenizer drops words of up to three chars.
MIN_TOKEN = 4
#: logjuicer makes an error word count five times (the word and four tagged copies).
ERROR_WEIGHT = 5
INDEX_CAP = 1 << 16
#: A good run has a few thousand distinct tokens; a log of random words one per word (its
#: postings then took ~70 MB of a diff's 170 MB peak).
VOCAB_CAP = 1 << 15
CANDIDATE_CAP = 4096
#: Comparisons over all queries, at most (a few seconds); past it, every line counts as new.
WORK_CAP = 1 << 21
_LINES_MAX = 1 << 16  # distinct lines remembered, not to tokenize them twice

_WORD = re.compile(rb"\w(?:[\w.]*\w)?")  # no dot at either end
# An id or a number: hex digits (with ``.``/``_``), a digit among them (digits are 0 here),
# as logjuicer's tokenizer tells ids (``is_uid``).
_HEX_ID = re.compile(rb"(?=.*0)[0-9a-fA-F._]+")
_DIGITS_TO_ZERO = bytes.maketrans(b"123456789", b"000000000")
# A host name (three labels or more, ending in a common top-level domain or a country's):
# a mirror, a worker, a pod; it says where, not what happened.
_HOST = re.compile(
    rb"(?<![\w.-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.){2,}"
    rb"(?:com|net|org|edu|gov|mil|int|info|biz|io|dev|app|cloud|local|internal|lan|[a-z]{2})"
    rb"(?![\w.-])"
)
# A measure, digits as 0: a number with a unit of up to three letters (``0.000s``, ``00ms``,
# ``0kB``, ``0m00s``); the number came first, or it would be a word with a digit.
# Each unit but the last is followed by a number: one way to match a token, no backtracking.
_MEASURE = re.compile(rb"0[0.,:]*(?:[a-zA-Z\xb5]{1,3}0[0.,:]*)*[a-zA-Z\xb5]{0,3}")
# A plural: a word of four letters or more ending in one ``s`` (``tests``, ``files``; not
# ``class``, ``process``, ``status`` alike in both runs anyway).
_PLURAL = re.compile(rb"[A-Za-z_]{3,}[^sS\W]s")
# logjuicer's error words (its tokenizer's ``is_error``), as whole words, any case.
ERROR_WORDS = frozenset(
    b"error fatal failure failed warning err fail warn denied assert assertion "
    b"exception traceback".split()
)

Tokens = frozenset[bytes]
Stored = tuple[bytes, ...]  # a token set as indexed: sorted (a tuple takes a fifth of the room)


# A test's failure said by a mark, not a word: TAP's ``not ok``, the spec reporters' ``✖``
# and ``✕``: ``not ok 2 - total`` is not near a good run's ``ok 2 - total``.
_FAIL_MARK = re.compile(rb"(?:^|\s)not ok\b|\xe2\x9c[\x95\x96]")


def tokens(line: bytes, *, fold: bool = True) -> Tokens:
    """The token set of a line; its error words in lower case if ``fold`` (a failure's
    mark counts as the word ``fail``)."""
    out: set[bytes] = {b"fail"} if _FAIL_MARK.search(line) else set()
    for word in _WORD.findall(_HOST.sub(b" ", line.translate(_DIGITS_TO_ZERO))):
        if word.lower() in ERROR_WORDS:
            out.add(word.lower() if fold else word)
        elif len(word) >= MIN_TOKEN and not (_HEX_ID.fullmatch(word) or _MEASURE.fullmatch(word)):
            out.add(_singular(word))
    return frozenset(out)


def _singular(word: bytes) -> bytes:
    """``word`` without a plural's ``s``, unless that leaves an error word (``errors``)."""
    if _PLURAL.fullmatch(word) and word[:-1].lower() not in ERROR_WORDS:
        return word[:-1]
    return word


class Neighbours:
    """Distinct token sets of a good run's lines, searchable for one near a query."""

    def __init__(self, cap: int = INDEX_CAP) -> None:
        self.cap = cap
        self.sets: list[Stored] = []
        self.postings: dict[bytes, list[int]] = {}  # token -> indexes into ``sets``
        self._index: dict[Stored, int] = {}
        # Hashes of the lines met (digits as 0), bounded: a line whose hash another's shares
        # is not indexed (its set may be missing: it shows, the safe side).
        self._lines: set[int] = set()
        self.full = False  # some token sets were not indexed
        self.blank = False  # a line with no token was met
        self._vocab: dict[bytes, bytes] = {}
        self.work = 0  # comparisons made by :meth:`nearest` so far
        self.cut = 0  # queries :meth:`nearest` ended at a cap (their line counts as new)

    def feed(self, chunk: bytes) -> None:
        """Index the lines of a chunk of whole lines (each distinct one tokenized once)."""
        if self.full:
            return
        lines = {hash(line): line for line in chunk.translate(_DIGITS_TO_ZERO).split(b"\n")}
        fresh = lines.keys() - self._lines
        if len(self._lines) + len(fresh) > _LINES_MAX:
            self._lines.clear()  # a line met again is tokenized again: the same set
        self._lines |= fresh
        self.add(lines[h] for h in fresh)

    def add(self, lines: Iterable[bytes]) -> None:
        """Index lines."""
        for line in lines:
            self.add_tokens(tokens(line))

    def add_tokens(self, toks: Tokens) -> int | None:
        """Index one token set: its index (None: past the cap)."""
        if not toks:
            self.blank = True
            return None
        key = tuple(sorted(toks))
        found = self._index.get(key)
        if found is not None:
            return found
        if len(self.sets) >= self.cap or len(self._vocab) >= VOCAB_CAP:
            self.full = True
            return None
        # One bytes object per distinct token: a good run has few (a few thousand).
        key = tuple([self._vocab.setdefault(tok, tok) for tok in key])
        index = self._index[key] = len(self.sets)
        self.sets.append(key)
        for tok in toks:
            self.postings.setdefault(tok, []).append(index)
        return index

    def weight(self, tok: bytes) -> float:
        """A token's weight, squared: rarer in the index weighs more."""
        # A token no good line holds weighs as one that one line holds: a good run is a
        # sample, and the next one may well print it once.
        df = max(len(self.postings.get(tok, ())), 1)
        idf = 1.0 + math.log((len(self.sets) + 1) / (df + 1))
        return idf * idf * (ERROR_WEIGHT if tok in ERROR_WORDS else 1)

    def cosine(self, a: Tokens, b: Collection[bytes], *, boost: bool = True) -> float:
        """The cosine similarity of two token sets, weighted by this index (``boost``: its
        error words weigh five times)."""
        w = self.weight if boost else self._plain
        dot = sum(map(w, a.intersection(b)))
        return dot / math.sqrt(sum(map(w, a)) * sum(map(w, b))) if dot else 0.0

    def _plain(self, tok: bytes) -> float:
        return self.weight(tok) / (ERROR_WEIGHT if tok in ERROR_WORDS else 1)

    def near(self, a: Tokens, b: Collection[bytes], threshold: float = THRESHOLD) -> bool:
        """Whether ``a`` is near ``b``: no error word of ``a`` missing from ``b``, and alike
        with the error words weighed up (gaining one moves a line away) and without (sharing
        one does not bring two lines together: ``ERROR id=7`` is not near ``ERROR payment
        gateway rejected card``)."""
        if not (a & ERROR_WORDS).issubset(b):
            return False
        t = threshold - 1e-9
        return self.cosine(a, b) >= t and self.cosine(a, b, boost=False) >= t

    def nearest(self, toks: Tokens, threshold: float = THRESHOLD) -> int | None:
        """The index of a set with cosine >= ``threshold`` with ``toks`` (the first found;
        None: none is; -1: ``toks`` is empty and so was a line's here)."""
        if not toks:
            return -1 if self.blank else None
        found = self._index.get(tuple(sorted(toks)))
        if found is not None:
            return found
        weights = sorted(((self.weight(t), t) for t in toks), reverse=True)
        total = sum(w for w, _ in weights)
        rest, prefix = total, []
        for w, tok in weights:  # the heaviest tokens, until the others weigh < t² of all
            if rest < threshold * threshold * total:
                break
            prefix.append(tok)
            rest -= w
        tried: set[int] = set()
        for tok in prefix:
            for index in self.postings.get(tok, ()):
                if index in tried:
                    continue
                tried.add(index)
                self.work += 1
                other = self.sets[index]
                if self.near(toks, other, threshold):
                    return index
                if len(tried) >= CANDIDATE_CAP or self.work >= WORK_CAP:
                    self.cut += 1
                    return None
        return None

    @property
    def bounded(self) -> bool:
        """A cap was reached: some lines counted as new may be near one of the good run's."""
        return self.full or self.cut > 0
