"""Passwords in URLs (``postgres://deploy:s3cr3t@db-01/shop``): masked, declared or not.

A URL's userinfo is read as the clients that take such URLs read it, a raw ``@`` in the
password included (RFC 3986 wants ``%40``; ``p@ss`` is common all the same). After
``scheme://`` (the scheme a letter and then letters, digits, ``+``, ``.`` or ``-``), the netloc
runs up to the first ``/`` or whitespace; the userinfo is the netloc up to its *last* ``@``
(Python's ``urllib.parse``); the user is up to its first ``:``, and the password the rest of
it. ``?`` and ``#`` do not end the netloc here, though ``urllib`` stops at them: libpq takes
``postgres://u:pa#ss@db`` as the password ``pa#ss`` (it looks for the ``@`` up to the first
``/``). Masking the union of both readings over-masks a rare query (``?t=12:30&by=a@b``),
never leaks a password. Only the password is masked; ``http://host:8080/`` (no ``@``),
``https://user@host`` (no ``:``), ``user@host`` and ``git@github.com:org/repo`` (no ``://``)
are no credentials.

Each match is found from its ``@`` (``memchr``: most text has none, while the ``:`` of
``://`` is in every timestamp) and the last ``://`` before it; the userinfo after that, one
compiled pattern, runs to the netloc's last ``@``; the scheme before them is checked last.
The scheme is valid when the scheme characters right before ``://`` hold a letter within
``SCHEME`` bytes: a property of those bytes alone, so a URL is read alike whatever cut before
it. A netloc not yet ended may still get a later ``@``: a cut holds it back whole (up to
``HOLD_MAX``).
"""

from __future__ import annotations

from collections import deque

from ..._regex import lazy
from . import encoded

#: How far before ``://`` a scheme's letter is looked for (``svn+ssh``, ``git+https``...).
SCHEME = 32
#: The longest unfinished credential held back at a cut (a line in pieces, a fail-open
#: write): past that, bounded memory wins.
HOLD_MAX = 4096

#: ``@`` as a byte value: ``AT in data`` is a memchr, while ``b"@" in data`` first tries the
#: argument as an int and builds a TypeError (about 8 times as slow on a short line).
AT = 0x40
#: Whitespace as ``\s`` reads it in a bytes pattern, spelled out: a class of bytes alone
#: compiles to a bitmap, one with ``\s`` tests a category per byte (the pattern: about 20% slower).
_WS = rb" \t\n\r\f\v"
#: The netloc after ``://``: to the first ``/`` or whitespace (``//`` in ``://`` ends one,
#: so no netloc holds a ``://``). Unfinished at the end of the data, it may still grow.
_NETLOC = lazy(rb"[^/%s]*" % _WS)
#: A user (no ``:``), then the password and the netloc's last ``@``: runs that each end with
#: an ``@``. Possessive, so that no byte is backtracked over (a greedy ``[^\s/]+@`` backs up
#: from the netloc's end to its last ``@``).
_CRED = lazy(rb":(?:\\*/){2}[^/:%s]*+:([^/@%s]*+@(?:[^/@%s]*+@)*+)" % (_WS, _WS, _WS))
#: ``://``, each ``/`` as escapes may write it: JSON's ``\/`` (PHP's ``json_encode``), JSON in
#: JSON's ``\\\/``, a repr's ``\\/``. The netloc then ends at the ``\`` before its ``/``.
_SEP = lazy(rb":(?:\\*/){2}")
#: A separator begun at the end of the data (``:``, ``:/``, ``:\/\``).
_BEGUN = lazy(rb":\\*(?:/\\*)?\Z")
#: Bytes of text that cost about as much to search for ``://`` as looking back from one
#: ``@``: two ``@`` closer than that, and the pattern searches the whole text.
_AT_COST = 500
_SCHEME_CHARS = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-")
_LETTERS = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _scheme_letter(data: bytes, end: int) -> int:
    """Where the last letter of the scheme ending at ``end`` is (-1: no valid scheme)."""
    pos = end - 1
    floor = max(end - SCHEME, 0)
    while pos >= floor and data[pos] in _SCHEME_CHARS:
        if data[pos] in _LETTERS:
            return pos
        pos -= 1
    return -1


def found(data: bytes) -> list[tuple[int, int, int]]:
    """The credentials in ``data``: ``(context, start, end)``, the password being
    ``data[start:end]`` and ``context`` where the bytes that make it one begin."""
    # Few ``@``: each looks back for its ``://``; many (an address on every line): one
    # compiled pattern over all of it. The same matches either way (``by_at``).
    first = data.find(AT)
    if first >= 0 and data.find(AT, first + 1, first + _AT_COST) >= 0:
        return by_pattern(data)
    return by_at(data)


def by_at(data: bytes) -> list[tuple[int, int, int]]:
    """:func:`found`, from each ``@`` and the last ``://`` before it."""
    out = []
    after = 0  # where the ``://`` of the next ``@`` may begin
    at = data.find(AT)
    while at >= 0:
        # The netloc has no ``/``: the ``://`` of an ``@`` is the last one before it.
        sep = _last_separator(data, after, at)[0]
        m = _CRED.match(data, sep) if sep >= 0 else None
        if m is None:  # in no netloc, or in one with no password (then nor its next ``@``)
            after = at + 1
        else:  # the match runs to its netloc's last ``@``: this one or a later one
            start, end = m.start(1), m.end(1) - 1  # not the ``@``
            if start < end and (letter := _scheme_letter(data, sep)) >= 0:
                out.append((letter, start, end))
            after = m.end()
        at = data.find(AT, after)
    return out


def _last_separator(data: bytes, start: int, end: int) -> tuple[int, int]:
    r"""Where the last ``://`` (or an escaped spelling, ``:\/\/``) in ``data[start:end]``
    begins and ends; ``(-1, -1)``: none."""
    plain = data.rfind(b"://", start, end)
    if data.find(b"\\", start, end) < 0:  # no backslash there: no escaped one (memchr)
        return plain, plain + 3 if plain >= 0 else -1
    last = deque(_SEP.finditer(data, start, end), maxlen=1)  # the last one, in C
    return (last[0].start(), last[0].end()) if last else (-1, -1)


def by_pattern(data: bytes) -> list[tuple[int, int, int]]:
    """:func:`found`, from each ``://`` the userinfo pattern follows up to an ``@``."""
    out = []
    for m in _CRED.finditer(data):
        start, end = m.start(1), m.end(1) - 1  # not the ``@``
        if start < end and (letter := _scheme_letter(data, m.start())) >= 0:
            out.append((letter, start, end))
    return out


def spans(data: bytes) -> list[tuple[int, int]]:
    """The passwords' ``[start, end)`` spans in ``data``."""
    if AT not in data:  # memchr: most text has none, and ``:`` is everywhere in logs
        return []
    return [(start, end) for _, start, end in found(data)]


def open_password(data: bytes) -> int:
    """Where a password that the next bytes may end starts at the end of ``data``
    (``...://user:pass``), or ``len(data)`` if none: the bytes from there must wait."""
    # A netloc not ended may get a later ``@``: its password runs to the end so far.
    at, after = _last_separator(data, 0, len(data))
    if at < 0 or _NETLOC.fullmatch(data, after) is None or _scheme_letter(data, at) < 0:
        return len(data)
    colon = data.find(b":", after)
    return len(data) if colon < 0 else colon + 1


def open_context(data: bytes) -> int:
    """Where the bytes at the end of ``data`` that, with the next bytes, could make a
    credential begin (``len(data)`` if none): a scheme (``postgres``, ``postgres:/``) or an
    unfinished netloc (one with an ``@`` too: a later ``@`` would move the password's end).
    For a cut that masks each side alone; at most ``HOLD_MAX`` back."""
    size = len(data)
    at, after = _last_separator(data, max(size - HOLD_MAX, 0), size)
    if at >= 0 and _NETLOC.fullmatch(data, after) is not None:
        letter = _scheme_letter(data, at)
        if letter >= 0:
            return letter
    # A separator begun may hold any number of backslashes (JSON nested deep): up to the
    # bound of what is held.
    begun = _BEGUN.search(data, max(size - HOLD_MAX, 0))
    end = size if begun is None else begun.start()
    letter = _scheme_letter(data, end)
    return size if letter < 0 else letter


def safe_cut(data: bytes, cut: int) -> int:
    """A cut at or before ``cut`` that leaves each credential whole on one side."""
    if AT not in data:
        return cut
    for context, _, end in found(data):
        if context < cut < end + 1:  # the netloc's last ``@`` after it makes it one
            return context
    return cut


def holds_url(plain: bytes) -> bool:
    """Whether a decoded value holds a URL's password."""
    return bool(spans(plain))


_ESCAPED_COLON = lazy(rb"%3[Aa]")
_AT_LOOKS = 64  # ``@`` looked behind one by one before the whole data is searched once
_BEHIND = 2048  # how far before its ``@`` a URL's escaped ``:`` is looked for
#: Every byte: a URL's password may hold any that a command's escapes spell.
_EVERY_BYTE = set(range(256))


def escaped_spans(data: bytes) -> list[tuple[int, int]]:
    """The passwords of URLs in command values their CI decodes where the ``:`` of
    ``://user:pass@`` is an escape (a GitHub property: ``https%3A//user%3Apass@host``)."""
    if not _escaped_colon_before_at(data):
        return []
    # ``%3a`` too: the runner leaves it, but percent escapes have no case for any other
    # reader (the same length: the spans are the text's).
    return encoded.command_spans(data.replace(b"%3a", b"%3A"), spans, _EVERY_BYTE)


def _escaped_colon_before_at(data: bytes) -> bool:
    """Whether an escaped ``:`` is on the line before some ``@`` (a URL's userinfo ends at
    its ``@``): looked for behind each of the first ``@`` (memchr; a log has few), then in
    the whole of ``data`` at once (one regex scan) when it has many."""
    at = data.find(b"@")
    for _ in range(_AT_LOOKS):
        if at < 0:
            return False
        start = max(data.rfind(b"\n", max(at - _BEHIND, 0), at) + 1, at - _BEHIND, 0)
        if _ESCAPED_COLON.search(data, start, at) is not None:
            return True
        at = data.find(b"@", at + 1)
    return _ESCAPED_COLON.search(data) is not None
