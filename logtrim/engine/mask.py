"""Masking secrets: one multi-pattern pass over whole chunks, whatever the number of secrets.

Each secret is also masked in the base64 form some CI systems' service messages carry their
values in, so the archive never holds it either way. Overlapping secrets are masked as
their union.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable

from .rules import Compiler, Database

MASK = b"********"
MIN_LENGTH = 4  # as the CI servers: shorter values are not masked


class Masker:
    """Replaces every occurrence of the known secrets with ``********``.

    ``add`` returns the values it refused (too short). Secrets learned later apply from
    then on. ``mask`` is the hot path: a no-op while there are no secrets.
    """

    def __init__(self, secrets: Iterable[str] = (), *, compiler: Compiler | None = None) -> None:
        self._compiler = compiler
        self._secrets: list[bytes] = []
        self._seen: set[bytes] = set()
        self._hs: Database | None = None
        self._re: re.Pattern[bytes] | None = None
        self.max_len = 0
        self.add(*secrets)

    def __bool__(self) -> bool:
        return bool(self._secrets)

    def add(self, *values: str) -> list[str]:
        refused = []
        changed = False
        for value in values:
            if len(value) < MIN_LENGTH:
                if value:
                    refused.append(value)
                continue
            raw = value.encode("utf-8", "surrogateescape")  # raw env bytes (--mask-env)
            for form in (raw, base64.b64encode(raw)):
                if form not in self._seen:
                    self._seen.add(form)
                    self._secrets.append(form)
                    changed = True
        if changed:
            self._compile()
        return refused

    def _compile(self) -> None:
        self.max_len = max(len(s) for s in self._secrets)
        # Longest first: at one position the longest secret wins, and it covers the others.
        ordered = sorted(self._secrets, key=len, reverse=True)
        self._re = re.compile(b"(?=(" + b"|".join(re.escape(s) for s in ordered) + b"))")
        self._hs = None if self._compiler is None else self._compiler.literals(self._secrets)

    def spans(self, data: bytes) -> list[tuple[int, int]]:
        """The merged ``[start, end)`` spans of secrets in ``data``."""
        found: list[tuple[int, int]] = []
        if self._hs is not None:
            lengths = [len(s) for s in self._secrets]

            def on_match(sid: int, _from: int, to: int, _flags: int, _ctx: object) -> None:
                found.append((to - lengths[sid], to))

            self._hs.scan(data, match_event_handler=on_match)
            found.sort()
        elif self._re is not None:
            found = [(m.start(), m.start() + len(m.group(1))) for m in self._re.finditer(data)]
        merged: list[tuple[int, int]] = []
        for start, end in found:
            if merged and start <= merged[-1][1]:
                if end > merged[-1][1]:
                    merged[-1] = (merged[-1][0], end)
            else:
                merged.append((start, end))
        return merged

    def mask(self, data: bytes) -> bytes:
        if not self._secrets:
            return data
        spans = self.spans(data)
        if not spans:
            return data
        parts = []
        pos = 0
        for start, end in spans:
            parts.append(data[pos:start])
            parts.append(MASK)
            pos = end
        parts.append(data[pos:])
        return b"".join(parts)

    def safe_cut(self, data: bytes, cut: int) -> int:
        """A cut point at or before ``cut`` that does not split a secret in ``data``."""
        for start, end in self.spans(data):
            if start < cut < end:
                return start
        return cut
