"""Masking secrets: one multi-pattern pass over whole chunks, whatever the number of secrets.

Each secret is masked in every *form* it can take in the output (see docs/masking.md):

* its UTF-8 bytes (over several lines: also with the other line ending, ``\\r\\n`` or ``\\n``),
  in its composed and decomposed Unicode spellings;
* its base64 (standard alphabet), whole and padded, as a service message's attribute carries it;
* its base64 inside a longer base64 text, at each of the three byte alignments (offset 0, 1
  and 2 within a group of three), with the edge characters that also depend on the
  neighbouring bytes removed: what GitHub's runner masks;
* the escaped forms the dialects' commands carry it in (``Dialect.secret_forms``).

The password of a URL's userinfo (``scheme://user:password@``) is masked too, declared or not
(:mod:`.urlcreds`). Overlapping secrets are masked as their union. A newline inside a masked
span is kept, so a secret over two lines masks both parts and the line count stays the same.
"""

from __future__ import annotations

from collections.abc import Iterable

from ... import _text
from ..match.matcher import Compiler
from . import encoded, inpieces, urlcreds
from .escapes import held_end, held_through, shown_end, through_escapes
from .forms import (
    base64_forms,
    json_forms,
    line_endings,
    line_forms,
    misread_forms,
    pieces,
    python_json_forms,
    repr_forms,
    spellings,
)
from .shards import Shards
from .spans import apply, merged, replacement

MASK = _text.MASK
MIN_LENGTH = _text.MIN_SECRET
#: ESC as a byte value: ``ESC in data`` is a memchr, ``b"\x1b" in data`` first tries the
#: argument as an int and builds a TypeError (most of the cost on a line).
ESC = 0x1B
HASH = 0x23  # the first byte of an Octopus message's ``##``


class Masker:
    """Replaces every occurrence of the known secrets' forms with ``********``.

    ``add`` returns the values it refused (too short). Secrets learned later apply from
    then on. ``mask`` is the hot path: a no-op while there are no secrets and no ``@``.
    A URL's password is masked whatever was declared; it is not learned as a secret (see
    docs/masking.md): the masker is true only when it knows secrets.
    """

    def __init__(self, secrets: Iterable[str] = (), *, compiler: Compiler | None = None) -> None:
        self._compiler = compiler
        self._secrets: list[bytes] = []
        self._over_lines: list[bytes] = []  # the forms with a newline (held once per record)
        self._seen: set[bytes] = set()
        self._chars: set[int] = set()  # the bytes of the secrets' values
        self._shards = Shards(compiler)  # compiled at the first look after an add
        self._spelled: list[bytes] = []  # each secret's spellings (read_as_utf16 reads them)
        self._utf16 = False
        self.max_len = 0
        #: Whether a form spans lines: then whole lines may be held back, not only a partial one.
        self.multiline = False
        self.add(*secrets)

    def __bool__(self) -> bool:
        return bool(self._secrets)

    @property
    def spelled_len(self) -> int:
        """The longest a form may be spelled in a value a CI decodes: TeamCity's ``|0xNNNN``
        takes 7 bytes for each byte of a form (a character of 2 to 4 bytes is 1 or 2 units)."""
        return 7 * self.max_len

    @property
    def generation(self) -> int:
        """Grows with each form added: text masked at one generation needs no masking again
        while it holds (no form it could hold was known yet)."""
        return len(self._secrets)

    @property
    def compiler(self) -> Compiler | None:
        return self._compiler

    @property
    def forms(self) -> list[bytes]:
        return list(self._secrets)

    def add(self, *values: str, forms: Iterable[str] = ()) -> list[str]:
        """Add secrets (and extra ``forms`` of them, already encoded); return those refused."""
        refused = []
        new = [
            f.encode("utf-8", "surrogateescape")
            for f in forms
            if len(f) >= MIN_LENGTH and not f.isspace()
        ]
        # A value read from a file ends with a newline: the text before it is the secret.
        for value in (v.strip("\r\n") for v in values):
            # Blanks alone are no secret: masked, they would cut every message's syntax.
            if len(value) < MIN_LENGTH or value.isspace():
                if value:
                    refused.append(value)
                continue
            for spelling in spellings(value):
                raw = spelling.encode("utf-8", "surrogateescape")  # raw env bytes (--mask-env)
                self._chars.update(raw)
                self._spelled.append(raw)
                new += misread_forms(raw) if self._utf16 else ()
                for form in (*line_endings(raw), *line_forms(raw)):
                    new += [form, *base64_forms(form)]
                for form in line_endings(raw):  # as a JSON string writes it, and JSON in JSON
                    jsons = [f for once in json_forms(form) for f in (once, *json_forms(once))]
                    reprs = repr_forms(form)  # as Python's repr writes it
                    # a repr in Python's JSON (a KeyError in a structured log), and that JSON
                    # in JSON again (a record whose payload is one); Python's JSON in a repr
                    in_json = [f for once in reprs for f in python_json_forms(once)]
                    in_json += [f for once in in_json for f in python_json_forms(once)]
                    escaped = [
                        *jsons,
                        *reprs,
                        *in_json,
                        *(f for once in python_json_forms(form) for f in repr_forms(once)),
                    ]
                    # each also in base64 (a long Octopus value is masked in its base64)
                    new += (f for spelled in escaped for f in (spelled, *base64_forms(spelled)))
        self._add_forms(new)
        return refused

    def read_as_utf16(self) -> None:
        """What is masked from now on was decoded from UTF-16 (a log read after the fact):
        the secrets' bytes read as UTF-16 are masked too (:func:`.forms.misread_forms`)."""
        if not self._utf16:
            self._utf16 = True
            self._add_forms([form for raw in self._spelled for form in misread_forms(raw)])

    def adopt(self, other: Masker) -> None:
        """Know every secret ``other`` knows, in every form it masks (an engine that replays
        a run another engine read: whatever path taught that one, this one masks it too)."""
        self._chars |= other._chars
        self._spelled += [raw for raw in other._spelled if raw not in self._spelled]
        if other._utf16:
            self.read_as_utf16()
        self._add_forms(other._secrets)

    def _add_forms(self, new: list[bytes]) -> None:
        for form in (piece for whole in new for piece in pieces(whole)):
            if form not in self._seen:
                self._seen.add(form)
                self._secrets.append(form)
                self.max_len = max(self.max_len, len(form))
                if b"\n" in form:
                    self._over_lines.append(form)
                    self.multiline = True
                self._shards.add(form)

    def spans(self, data: bytes) -> list[tuple[int, int]]:
        """The merged ``[start, end)`` spans of secrets in ``data``, also of a secret that
        colour codes split (``hun\\x1b[31mter2`` shows as the secret on a terminal)."""
        if not self._secrets:
            return self._url_spans(data, encoded.hashes(data) if HASH in data else -1)
        # Each look but the forms' is for a byte most lines lack (memchr): a line costs little.
        found = self._found(data)
        if HASH in data:  # a value a CI decodes: the secret in any spelling it reads
            found += encoded.octopus_spans(
                data, lambda plain: bool(self._found(plain)) or urlcreds.holds_url(plain)
            )
        # A value GitHub, Azure or TeamCity decodes (their escape bytes, memchr first).
        found += encoded.command_spans(data, self._found, self._chars)
        if ESC in data:
            found += through_escapes(data, self._found)
        if urlcreds.AT in data:
            found += urlcreds.spans(data) + urlcreds.escaped_spans(data)
        return merged(found) if found else found

    def piece_spans(self, data: bytes) -> list[tuple[int, int]]:
        """:meth:`spans` of a piece of a line too long to hold: a command's value there may
        have its head in an earlier piece, so its escapes are read wherever they are."""
        found = self.spans(data)
        if not self._secrets:
            return found
        loose = encoded.loose_spans(data, self._found, self._chars)
        return merged(found + loose) if loose else found

    def mask_piece(self, data: bytes) -> bytes:
        """``data`` masked with :meth:`piece_spans`."""
        spans = self.piece_spans(data)
        return apply(data, spans) if spans else data

    @staticmethod
    def _url_spans(data: bytes, pair: int) -> list[tuple[int, int]]:
        """With no secret: URLs' passwords, also in values a CI decodes (``pair``: where the
        first ``##`` is, -1: none; an Octopus value is base64, no ``@`` shows before)."""
        found = urlcreds.spans(data) + urlcreds.escaped_spans(data)
        if pair >= 0:
            found += encoded.octopus_spans(data, urlcreds.holds_url, pair)
        return merged(found) if found else found

    def _found(self, data: bytes) -> list[tuple[int, int]]:
        return self._shards.find(data)

    def holds_form(self, data: bytes) -> bool:
        """Whether a secret's form is in ``data`` as written (nothing decoded, no URL): on
        bytes that no decoding reads otherwise, :meth:`mask` of any part of ``data``
        changes nothing when this is false and ``data`` has no ``@``."""
        return bool(self._secrets) and bool(self._shards.find(data))

    def mask(self, data: bytes) -> bytes:
        if not self._secrets:  # a URL's password, bare or in a value a CI decodes
            pair = encoded.hashes(data) if HASH in data else -1
            if urlcreds.AT not in data and pair < 0:
                return data
            spans = self._url_spans(data, pair)
        else:
            spans = self.spans(data)
        return apply(data, spans) if spans else data

    def head(self, raw: bytes, size: int) -> bytes:
        """The first ``size`` bytes of ``raw`` masked: a password still open at the end of
        what is looked at is left out, not shown in part."""
        part = raw[: size + self.max_len]
        if len(raw) > len(part) and ESC in part:
            # Colour codes inside a secret lengthen it: one begun may still be open.
            part = part[: len(part) - held_through(part, self._secrets)]
        part = part[: urlcreds.open_password(part)]
        spans = self.piece_spans(part)  # a command's value may go on past it, unread
        # Cut where the text as written reaches ``size`` (past a secret begun before it), not
        # where the masked text does: shorter, it reached into the end of ``part``, where a
        # secret cut off by it was shown in part (``correct-horse-battery-stapl``).
        cut = size
        for start, end in spans:
            if start < cut < end:
                cut = end
        kept = [(start, end) for start, end in spans if end <= cut]
        masked = apply(part[:cut], kept) if kept else part[:cut]
        return masked[: _text.char_start(masked, size)]

    def mask_text(self, text: str) -> str:
        """``text`` masked (a name, a path, a line kept as text)."""
        if not self._secrets and "@" not in text:
            return text
        return self.mask(text.encode("utf-8", "surrogateescape")).decode("utf-8", "surrogateescape")

    def safe_cut(self, data: bytes, cut: int) -> int:
        """A cut point at or before ``cut`` that does not split a secret in ``data``."""
        cut = urlcreds.safe_cut(data, cut)
        if not self._secrets and not _message_in(data):  # (an Octopus value may hold a URL's)
            return cut
        for start, end in self.piece_spans(data):
            if start < cut < end:
                return start
        return cut

    def piece_cut(self, data: bytes, cut: int) -> int:
        """A cut point at or before ``cut`` after which each side can be masked alone (a
        long line in pieces): no secret split, no URL credential's context either, no
        declaration whose value has not ended (:mod:`.inpieces`)."""
        cut = inpieces.cut(data, cut)
        if self._secrets:
            cut = encoded.safe_cut(data, cut, urlcreds.HOLD_MAX)
        return self.safe_cut(data, min(cut, urlcreds.open_context(data)))

    def open_end(self, data: bytes) -> int:
        """How many bytes at the end of ``data``, a line still coming, could start a secret
        whatever comes next: its last ``max_len - 1`` characters as a terminal shows them,
        the escape codes among them (and one begun at the very end) included; all of
        ``data`` when it shows fewer. Without codes: ``max_len - 1`` bytes."""
        return shown_end(data, self.max_len - 1 if self._secrets else 0)

    def held(
        self, data: bytes | bytearray, *, multiline_only: bool = False, alone: bool = False
    ) -> int:
        """How many bytes at the end of ``data`` could be the start of a secret: the longest
        suffix that is a proper prefix of one of the forms (0 when none), also when colour
        codes (or the start of one, at the very end) split it; and a URL's password not yet
        ended (``alone``: what the next bytes, masked alone, would need to make one, from
        the scheme on)."""
        url = 0
        if not multiline_only:
            raw = bytes(data)
            url = len(raw) - (urlcreds.open_context(raw) if alone else urlcreds.open_password(raw))
        if not self._secrets:
            return url
        forms = self._over_lines if multiline_only else self._secrets
        return max(held_end(bytes(data), forms), held_through(data, forms), url)

    def open_secret(self, data: bytes) -> int:
        """:meth:`held` of the known secrets alone (no URL's password)."""
        forms = self._secrets
        return max(held_end(data, forms), held_through(data, forms)) if forms else 0


def _message_in(data: bytes) -> bool:
    """Whether ``data`` may hold an Octopus message (its ``##``): a ``#`` alone (a build
    number, a comment) costs a memchr, not the look for a URL in every value."""
    return HASH in data and encoded.hashes(data) >= 0


def masker_of(secrets: Iterable[str]) -> Masker:
    """A masker of ``secrets`` with the escaped forms of every CI's commands: for what is
    masked before the CI in use is known, or when reading which it is failed."""
    from ...dialects import all_dialects

    values = [v for v in secrets if len(v.strip("\r\n")) >= MIN_LENGTH]
    dialects = all_dialects()
    masker = Masker()
    forms = [f for v in values for d in dialects for f in d.secret_forms(v) if f != v]
    masker.add(*values, forms=forms)
    return masker


__all__ = ["MASK", "MIN_LENGTH", "Masker", "apply", "masker_of", "merged", "replacement"]
