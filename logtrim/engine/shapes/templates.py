"""Line templates: the variable parts of a line replaced by placeholders.

    2024-05-01T12:41:39.272Z [INFO] Processed batch 88924 in 638 ms
    -> <ts> [INFO] Processed batch <n> in <n> ms

Placeholders: ``<uuid>``, ``<ts>`` (dates, times), ``<hex>`` (ids with digits and letters,
``0x..``), ``<n>`` (numbers, versions), ``<path>`` (``/a/b``, ``~/a``, ``\\a\\b``), ``'<str>'``
and ``"<str>"`` (quoted strings). Templating is idempotent.

The regex treats every digit alike (it only ever says ``\\d``), so two lines that differ only
in their digits share a template. :class:`~logtrim.engine.stats.counting.TemplateCounter` uses
that: it maps all digits to
``0`` with ``bytes.translate`` (C speed), counts the distinct lines with ``Counter``, and runs
the regex once over the distinct lines only (:func:`templates_of`: over their distinct fields
when those repeat, as when lines differ in an id).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from itertools import accumulate, filterfalse

from ..._regex import lazy
from ..masking import urlcreds
from ..masking.mask import apply

# A placeholder stands for a word: ``>`` and ``<`` count as word chars in the boundary checks,
# which keeps templating idempotent.
# Every alternative starts by consuming one char of the leading class, so ``re`` skips to
# candidate positions with its fast charset scan instead of trying each alternative at every
# byte; lookbehinds then say which char it was and whether it starts a word. A letter can
# only start a uuid or hex id, at a word start: one lookbehind turns away the letters inside
# words (most candidates) before the alternatives are tried.
_H = rb"[0-9a-fA-F]"
_PATTERN = (
    rb"[0-9a-fA-F/~\\'\"](?<![\w>][a-fA-F])(?:"
    # uuid: at a word start
    rb"(?P<uuid>(?<![\w>-].)(?<="
    + _H
    + rb")"
    + _H
    + rb"{7}-"
    + _H
    + rb"{4}-"
    + _H
    + rb"{4}-"
    + _H
    + rb"{4}-"
    + _H
    + rb"{12}(?![\w<-]))"
    # dates with optional time and zone; times of day
    rb"|(?P<ts>(?<=\d)(?:\d{3}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:[.,]\d+)?)?"
    rb"(?:Z|[+-]\d\d:?\d\d)?)?|\d:\d\d:\d\d(?:[.,]\d+)?))"
    # hex ids: a whole word of >= 6 hex chars holding a digit and a letter; 0x...
    rb"|(?P<hex>(?<![\w.>].)(?:(?<=\d)x" + _H + rb"+\b|(?<=" + _H + rb")"
    rb"(?:(?<=\d)|(?=[a-fA-F]*\d))(?:(?<=[a-fA-F])|(?=\d*[a-fA-F]))" + _H + rb"{5,}\b))"
    # numbers and dotted versions, also inside words (web-01, v1.2.3, file_7.js)
    rb"|(?P<n>(?<=\d)\d*(?:\.\d+)*)"
    # paths: /a/b, //host/a (URLs), ~/a, \a\b (after a drive letter)
    rb"|(?P<path>(?<![\w.>]/)(?<=/)/?[\w.@+-]+(?:/[\w.@+-]+)+/?"
    rb"|(?<![\w.>]~)(?<=~)(?:/[\w.@+-]+)+/?"
    rb"|(?<=\\)[\w.@+ -]+(?:\\[\w.@+ -]+)+\\?)"
    # quoted strings; an apostrophe inside a word (can't) opens none
    # (neither holds the other quote: templating stays idempotent for '"'0"')
    rb"|(?P<sq>(?<![\w>]')(?<=')[^'\"\n]*'(?![\w<]))"
    rb"|(?P<dq>(?<=\")[^\"'\n]*\")"
    rb")"
)
# Compiled on first use: ~1 ms that most runs of ``logtrim run`` never need (start-up counts).
_sub: Callable[[Callable[[re.Match[bytes]], bytes], bytes], bytes] | None = None

_PLACEHOLDER = {
    "uuid": b"<uuid>",
    "ts": b"<ts>",
    "hex": b"<hex>",
    "n": b"<n>",
    "path": b"<path>",
    "sq": b"'<str>'",
    "dq": b'"<str>"',
}

DIGITS_TO_ZERO = bytes.maketrans(b"123456789", b"000000000")
# An id of hex digits in a digits-to-zero form (a UUID, a commit, a hash), a token of its own;
# or an address (``0x7ffe3a2b``, any length: the template reads each as ``<hex>``).
# (The whole word's class first: most words fail at their first letter, before the others.)
HEX_ID = lazy(
    rb"(?<![\w.-])(?=[0-9a-fA-F-]{8,}(?![\w.-]))(?=[\w-]*0)(?=[\w-]*[a-fA-F])[0-9a-fA-F-]+"
    rb"|(?<![\w.>-])0x[0-9a-fA-F]+(?![\w.-])"
)


def hexless(form: bytes) -> bytes:
    """A digits-to-zero ``form`` with each hex id's characters as ``#`` (its length kept:
    a pattern may count it): lines that differ in a UUID or a hash have one."""
    return HEX_ID.sub(lambda m: b"#" * (m.end() - m.start()), form)


def _replace(match: re.Match[bytes]) -> bytes:
    # Placeholder by group name; a match always has exactly one named group.
    return _PLACEHOLDER[match.lastgroup or "n"]


def template_uncached(data: bytes) -> bytes:
    """One regex pass over ``data`` (one line or many)."""
    global _sub
    if _sub is None:
        _sub = re.compile(_PATTERN).sub
    return _sub(_replace, data)


_CACHE: dict[bytes, bytes] = {}
_CACHE_SIZE = 1 << 16
_CACHE_LINE = 512


def template(line: bytes) -> bytes:
    """The template of one line (or of several lines at once: newlines are kept).

    >>> template(b"Copied 12 files to /srv/app/releases/42 in 3.5s (id 9f86d081884c)")
    b'Copied <n> files to <path> in <n>s (id <hex>)'
    """
    if len(line) > _CACHE_LINE:
        return template_uncached(line)
    # A regex pass costs a Python call per number; log lines repeat with other digits, and
    # the digits-to-zero key (same template, by construction) hits this cache ~20x faster.
    key = line.translate(DIGITS_TO_ZERO)
    found = _CACHE.get(key)
    if found is None:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.clear()
        # A UUID of its own on each line (a request id) misses the cache by its letters: as
        # a word of its own it is ``<uuid>`` whatever its letters, so one spelling stands for
        # all (found in about a quarter of the regex pass's time).
        same = _UUID.sub(_ONE_UUID, key) if b"-" in key else key
        found = _CACHE.get(same) if same is not key else None
        if found is None:
            found = template_uncached(same)
            _CACHE[same] = found
        _CACHE[key] = found
    return found


# A UUID as the template's ``uuid`` alternative takes one (its boundaries), in a
# digits-to-zero form; and the spelling each one is given.
_UUID = lazy(
    rb"(?<![\w>.,:-])[0a-fA-F]{8}-[0a-fA-F]{4}-[0a-fA-F]{4}-[0a-fA-F]{4}-[0a-fA-F]{12}(?![\w<-])"
)
_ONE_UUID = b"00000000-0000-0000-0000-000000000000"


# A match spans a space only in a date-time (``2024-05-01 12:41``), a quoted string or a
# ``\\``-path: a date-time's space is kept, lines with a quote or a backslash go whole.
_WHOLE_CHARS = (b"'", b'"', b"\\")
_KEEP = b"\x00"  # stands for a space that no field may be cut at
_SEP = b"\n\x01\n"  # between fields, a line of its own: fields may hold a line end
_BULK_MIN = 64  # fewer lines: one regex pass is as cheap
# A field costs about what the regex takes for this many bytes (split, look-up, join; measured
# on CPython 3.11 with the benchmark logs, in batches of 4096 lines: 3.1 on the short-line log,
# 3.6 on a raw task log, 5.7 on the deploy log, whose lines with a backslash are templated
# whole too). With 8, the deploy log's lines met the regex whole: 2.3x the time.
_FIELD_COST = 4


def templates_of(
    lines: Sequence[bytes],
    *,
    by_field: bool | None = None,
    cache: dict[bytes, bytes] | None = None,
) -> list[bytes]:
    """``[template_uncached(line) for line in lines]`` (lines without newlines), in bulk.

    The distinct lines of a log often differ in a field or two (an id, a hash): each
    distinct space-separated field meets the regex once, and the lines are put back
    together with C-speed ``split``/``join``. ``by_field``: whether to (None: when the
    fields of a sample of the lines repeat enough to pay; the answer is the same).
    ``cache``: the fields' templates of earlier calls, added to here (the caller bounds
    it): a field met in one batch of lines does not meet the regex again in the next.
    """
    if by_field is None:
        by_field = len(lines) >= _BULK_MIN and not _few_repeat(b" ".join(lines[::8]))
    ends = map((1).__add__, map(len, lines))  # (a line and its newline)
    return _bulk(coarse(b"\n".join(lines)), ends, lines.__getitem__, by_field, cache)


def templates_of_keys(
    keys: Sequence[bytes],
    *,
    by_field: bool | None = None,
    cache: dict[bytes, bytes] | None = None,
) -> list[bytes]:
    """:func:`templates_of` for keys as :class:`~logtrim.engine.stats.counting.TemplateCounter`
    holds them: digits already 0, each line with its newline (not templated), so that
    joined with nothing they are the block to template."""
    if not keys:
        return []
    keys = redrawn_as_last(keys)
    if by_field is None:
        sample = b"".join(keys[::8]).replace(b"\n", b" ")
        by_field = len(keys) >= _BULK_MIN and not _few_repeat(sample)
    return _bulk(b"".join(keys)[:-1], map(len, keys), lambda i: keys[i][:-1], by_field, cache)


def redrawn_as_last(keys: Sequence[bytes]) -> Sequence[bytes]:
    """``keys``, a line a program redrew (a ``\\r`` inside it: a progress bar) as its last
    state, what a terminal shows, after a ``\\r`` that says so (``stats`` shows it with a
    ``↻``): its redraws, all of them in one template, made one for each bar's length."""
    if not has_redraws(b"".join(keys)):
        return keys
    return [_last_state(key) if b"\r" in key else key for key in keys]


def has_redraws(block: bytes) -> bool:
    """Whether lines hold a ``\\r`` that is no line end (a Windows log's ``\\r\\n``): a look
    per line only then."""
    return b"\r" in block and block.count(b"\r") != block.count(b"\r\n")


def _last_state(key: bytes) -> bytes:
    body = key[:-1]  # (a key ends with its newline)
    core = body.rstrip(b"\r")  # what follows it is the line's end
    last = last_state(core)
    return key if last is None else b"\r" + last + body[len(core) :] + b"\n"


def last_state(line: bytes, limit: int = 1 << 62) -> bytes | None:
    """What a terminal shows of a ``line`` (no line end) a program redrew with ``\\r``: its
    last state that is not blank, found in its last ``limit`` bytes; None: no ``\\r``."""
    if b"\r" not in line:
        return None
    states = line[-limit:].split(b"\r")
    if len(line) > limit:
        states = states[1:] or states  # the first may be a state's end
    return next((state for state in reversed(states) if state.strip()), states[-1])


def _bulk(
    block: bytes,
    ends: Iterable[int],
    line: Callable[[int], bytes],
    by_field: bool,
    cache: dict[bytes, bytes] | None,
) -> list[bytes]:
    """The templates of the lines of ``block`` (digits as 0, lines joined with newlines);
    ``ends``: the length of each line with its newline; ``line(i)``: the i-th line."""
    if urlcreds.AT in block and (spans := urlcreds.spans(block)):
        # A placeholder may take a URL's start and leave its password's end
        # (``"<str>"cr3tTAIL@host``): the passwords go before the regex sees the lines.
        block = apply(block, spans)
        lines = block.split(b"\n")
        ends, line = [len(each) + 1 for each in lines], lines.__getitem__
    if not by_field or _KEEP in block or b"\x01" in block:
        return template_uncached(block).split(b"\n")
    # Fields are cut at spaces only, so one may hold the end of a line and the start of
    # the next: the regex treats a line end like a space (no match crosses either).
    fields = block.replace(b"0 00:", b"0" + _KEEP + b"00:").split(b" ")
    table: dict[bytes, bytes] = {} if cache is None else cache
    names = list(filterfalse(table.__contains__, set(fields)))  # in any order: C loops
    if names:
        found = template_uncached(_SEP.join(names).replace(_KEEP, b" ")).split(_SEP)
        table.update(zip(names, found, strict=True))
    out = b" ".join(map(table.__getitem__, fields)).split(b"\n")
    whole = _whole_lines(block, ends)
    if whole:
        joined = b"\n".join([line(i) for i in whole])
        for i, tpl in zip(whole, template_uncached(joined).split(b"\n"), strict=True):
            out[i] = tpl
    return out


def _few_repeat(sample: bytes) -> bool:
    """Whether, judged on ``sample`` (every 8th line, joined with spaces), the fields repeat
    too little for templating them one by one to pay (lines of unique paths, say): a field
    costs about what the regex takes for ``_FIELD_COST`` bytes."""
    fields = sample.split(b" ")
    return len(b"".join(dict.fromkeys(fields))) + _FIELD_COST * len(fields) >= len(sample)


def _whole_lines(block: bytes, ends: Iterable[int]) -> list[int]:
    """Indexes of the lines of ``block`` holding a quote or a backslash (``ends``: the
    length of each line with its newline)."""
    starts: list[int] = []
    for char in _WHOLE_CHARS:  # ``find`` scans at memchr speed; a hit skips its line
        pos = block.find(char)
        while pos >= 0:
            start = block.rfind(b"\n", 0, pos) + 1
            starts.append(start)
            end = block.find(b"\n", pos)
            pos = block.find(char, end) if end >= 0 else -1
    if not starts:
        return []
    begins = [0, *accumulate(ends)]
    return sorted({bisect_left(begins, start) for start in starts})


def coarse(data: bytes) -> bytes:
    """Every digit mapped to ``0``: same length, and the same template as ``data``."""
    return data.translate(DIGITS_TO_ZERO)
