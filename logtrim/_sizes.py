"""Byte sizes as people write them (``20MB``, ``512KiB``) and as the console prints them."""

from __future__ import annotations

import re

from ._errors import UsageError
from ._regex import lazy

_UNITS = {
    "": 1,
    "b": 1,
    "k": 1000,
    "kb": 1000,
    "m": 1000**2,
    "mb": 1000**2,
    "g": 1000**3,
    "gb": 1000**3,
    "kib": 1024,
    "mib": 1024**2,
    "gib": 1024**3,
}
_SIZE = lazy(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z]*)\s*$", re.ASCII)


def parse_size(text: str | int) -> int:
    """Parse ``20MB`` (decimal), ``20MiB`` (binary) or a plain byte count.

    >>> parse_size("20MB"), parse_size("1KiB"), parse_size(300_000)
    (20000000, 1024, 300000)
    """
    if isinstance(text, int):
        if text < 0:
            raise UsageError(f"size must not be negative: {text}")
        if text >= 1 << 63:
            raise OverflowError(f"size too large: {text!r}")  # as a string's (a TOML integer)
        return text
    match = _SIZE.match(text)
    unit = match.group(2).lower() if match else ""
    if not match or unit not in _UNITS:
        raise UsageError(
            f"not a size: {text!r} (use bytes, or kB/MB/GB, or KiB/MiB/GiB, e.g. 20MB)"
        )
    # Exact decimal arithmetic: ``2.01kB`` is 2010 bytes (a float gives 2009.99...).
    # Imported here: most runs give no size (start-up counts).
    from decimal import Decimal

    exact = Decimal(match.group(1)) * _UNITS[unit]
    if unit in ("", "b") and exact != int(exact):
        raise UsageError(f"not a size: {text!r} (a whole number of bytes, or a unit: 2.5kB)")
    size = int(exact)
    if size >= 1 << 63:
        raise OverflowError(f"size too large: {text!r}")  # a bad value, as any setting's
    return size


def format_size(n: float) -> str:
    """Decimal units, three significant figures: ``format_size(56_300) == '56.3 kB'``."""
    if n < 1e3:  # the gap markers' most common case first: one call per marker
        return f"{int(n)} B"
    value, unit = (n / 1e9, "GB") if n >= 1e9 else (n / 1e6, "MB") if n >= 1e6 else (n / 1e3, "kB")
    return f"{value:.3g} {unit}" if value < 100 else f"{value:.0f} {unit}"


def format_size_up(n: int) -> str:
    """:func:`format_size` of ``n`` rounded up to what it shows (three significant figures):
    a size to use that is never less than ``n`` (``3561`` is ``3.57 kB``, not ``3.56 kB``)."""
    step = 10 ** max(len(str(n)) - 3, 0)
    return format_size(-(-n // step) * step)


def format_count(n: int) -> str:
    """Thousands separators, as the console prints counts: ``1,234``."""
    return str(n) if -1000 < n < 1000 else f"{n:,}"
