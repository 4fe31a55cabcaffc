"""The secrets' forms as compiled matchers, in shards of a bounded number of forms.

Compiling one matcher of every form takes memory in proportion to their number while it
works (hyperscan's compiler about 2 kB a literal, Python's ``re`` as much), and a run that
learns secrets from its output compiled it again after every read that learned one: 20,000
learned secrets took 400 MB, and CPU grew with the square of their number. Here the forms go
into shards of at most :data:`SHARD`: a full shard is compiled once and kept (hyperscan keeps
about 50 bytes a literal); only the last one, still filling, is compiled again as it grows,
and not at each look after a form came: the forms added since its last compile are found
by tables that take each as it comes (:class:`_Tables`) until they have looked through about
as many bytes as a compile would cost (:data:`_RENT`). A scan looks through every shard and
those tables: no form is ever left out.
"""

from __future__ import annotations

import re
from typing import Any, cast

from ..match.matcher import Compiler, Database
from .words import Words, add_span, every, shortest

#: Short forms looked for one by one (``bytes.find``), more in one ``re`` alternation.
_EACH = 8
#: Forms per shard: the most one compile holds in memory at once.
SHARD = 4096
Found = list[tuple[int, int]]


class _Shard:
    """Some forms, compiled: a hyperscan database (any number of literals in one scan); else
    the pure-Python tables of :class:`_Tables`."""

    def __init__(self, forms: list[bytes], compiler: Compiler | None) -> None:
        self.forms = forms
        self.lengths = [len(f) for f in forms]  # per form, by the id the database reports
        self.hs: Database | None = None if compiler is None else compiler.literals(forms)
        self.tables: _Tables | None = None
        if self.hs is None:
            self.tables = self._tables()
        lengths = self.lengths

        # Made once, the scan's context a list (the spans, then the matches it may still
        # take): a scan makes no function (each line shown is masked alone).
        def on_match(sid: int, _from: int, to: int, _flags: int, scan: object) -> bool:
            state = cast(_Scan, scan)
            # A run of occurrences (a secret repeated: ``AAAA`` in a line of A's) grows one
            # span: a span each took hundreds of megabytes.
            add_span(state[0], to - lengths[sid], to)
            left: int = state[1] - 1
            state[1] = left
            return left < 0  # dense: the scan stops, the tables go on (:meth:`find`)

        self._on_match = on_match

    def _tables(self) -> _Tables:
        tables = _Tables()
        for form in self.forms:
            tables.add(form)
        return tables

    def find(self, data: bytes, found: Found) -> None:
        if self.hs is not None:
            # Its own spans: hyperscan reports them in the order they end, which merges a
            # run as it comes; other shards' may be anywhere.
            scan: _Scan = [[], _DENSE + len(data) // _SPARSE]
            try:
                # Positional: hyperscan parses keywords at about a third of a line's scan.
                self.hs.scan(data, self._on_match, 0, scan)
                found += scan[0]
                return
            except Exception:  # hyperscan's ScanTerminated, when the callback stopped it
                if scan[1] >= 0:
                    raise
            # Hostile output: a secret over and over, a match at every byte (a Python call
            # each, 25 s for a line of 4 MB). The tables find such runs at C speed.
            if self.tables is None:
                self.tables = self._tables()
        if self.tables is not None:
            self.tables.find(data, found)


# A scan's context: its spans, and how many more matches it takes.
_Scan = list[Any]
#: Matches a scan takes before it stops for the tables: a few, and one per so many bytes.
_DENSE, _SPARSE = 1024, 64


def _uncached(pattern: bytes) -> re.Pattern[bytes]:
    """``re.compile``, without keeping the pattern in ``re``'s cache: each version of a
    growing shard would stay there (up to 512 of them)."""
    compiled = re.compile(pattern)
    for name in ("_cache", "_cache2"):
        cache = getattr(re, name, None)
        if isinstance(cache, dict):
            cache.pop((bytes, pattern, 0), None)
    return compiled


class _Tables:
    """Forms found without hyperscan, each taken as it comes (no compile): the forms of 7
    bytes and more by tables of the words they hold (:mod:`.words`), the few shorter ones by
    one ``re`` alternation, made again at the next look after one came.

    Also the forms added since the last shard was compiled (:class:`Shards`): a log that
    declares a secret every few kilobytes made the last shard compile again at every read,
    each time with all its forms (20 MB of output with a token declared in every 20 kB
    took 35 s)."""

    def __init__(self) -> None:
        self.count = 0
        self._words = [Words(8), Words(4)]
        self._short: list[bytes] = []
        self._re: re.Pattern[bytes] | None = None

    def add(self, form: bytes) -> None:
        self.count += 1
        table = next((t for t in self._words if len(form) >= shortest(t.width)), None)
        if table is None:
            self._short.append(form)
            self._re = None
        else:
            table.add(form)

    def find(self, data: bytes, found: Found) -> None:
        for table in self._words:
            if table:
                table.find(data, found)
        if not self._short:
            return
        if len(self._short) <= _EACH:
            for form in self._short:
                every(data, form, found)  # (C speed: a run of one is one span)
            return
        if self._re is None:
            # Longest first: at one place the longest form wins, and covers the others.
            ordered = sorted(self._short, key=len, reverse=True)
            self._re = _uncached(b"(?=(" + b"|".join(re.escape(f) for f in ordered) + b"))")
        for m in self._re.finditer(data):
            add_span(found, m.start(), m.start() + len(m.group(1)))


#: Bytes the forms added since the last compile are looked through, per form of the shard, before
#: it is compiled again with them: a compile costs about as much as the tables' look through
#: that many bytes (hyperscan: about 50 µs a form; the tables: about 10 ms a MB), so a run
#: pays at most about twice what it would knowing its secrets in advance.
_RENT = 5_000


class Shards:
    """Every form added, found in one call (see the module docstring)."""

    def __init__(self, compiler: Compiler | None) -> None:
        self._compiler = compiler
        self._full: list[_Shard] = []
        self._filling: list[bytes] = []  # the forms of the last shard
        self._last: _Shard | None = None  # ... compiled, those before ``_recent``'s
        self._recent = _Tables()  # ... added since, found without a compile
        self._scanned = 0  # bytes ``_recent`` looked through

    def add(self, form: bytes) -> None:
        self._filling.append(form)
        self._recent.add(form)
        if len(self._filling) >= SHARD:
            self._full.append(_Shard(self._filling, self._compiler))
            self._filling, self._last, self._recent = [], None, _Tables()

    def find(self, data: bytes) -> Found:
        """The ``[start, end)`` of every form found in ``data`` (overlapping), sorted."""
        if (
            self._recent.count
            and self._compiler is not None
            and self._scanned >= _RENT * len(self._filling)
        ):
            # (without a compiler the tables are what a compile would make: nothing to gain)
            self._last, self._recent = _Shard(self._filling, self._compiler), _Tables()
        found: Found = []
        for shard in self._full:
            shard.find(data, found)
        if self._last is not None:
            self._last.find(data, found)
        if self._recent.count:
            self._recent.find(data, found)
            self._scanned += len(data)
        else:
            self._scanned = 0
        found.sort()
        return found
