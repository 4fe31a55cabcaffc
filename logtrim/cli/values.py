"""The parsers of :mod:`.settings`: a raw value (typer's, a TOML value, a variable's text)
to a checked one, and back to the text ``--help`` shows for a default."""

from __future__ import annotations

import math
import os
import re
import warnings

from .._errors import InputError, UsageError
from .._regex import lazy
from .._sizes import format_size, parse_size
from .._text import split_names
from ..dialects import DIALECTS
from ..engine.policy import MIN_BUDGET

CI_NAMES = ", ".join(["auto", *DIALECTS])


class BadValue(ValueError):
    """A raw value a parser refuses; the message says what a good one looks like."""


def _ascii(raw: object) -> bool:
    return not isinstance(raw, str) or raw.isascii()


def count(raw: object) -> int:
    hint = "a whole number, 0 or more"
    # int() and float() take any script's digits (``'٣'``): the docs' syntax is ASCII.
    if isinstance(raw, bool) or not isinstance(raw, (int, str)) or not _ascii(raw):
        raise BadValue(hint)
    try:
        number = int(raw)
    except ValueError:
        raise BadValue(hint) from None
    if number < 0:
        raise BadValue(hint)
    return number


#: A whole-number option's largest value: more lines or jobs than any run has.
MOST = 2**31 - 1


def whole_option(option: str, raw: str, least: int = 0) -> int:
    """A whole-number option of ``trim``, ``stats`` or ``diff``, refused as a bad setting is
    (``--context: bad value for context: '1e100' (a whole number, 0 or more)``)."""
    hint = f"a whole number, {least} or more"
    try:
        number = count(raw)
    except BadValue:
        number = least - 1
    if number < least:
        raise UsageError(f"{option}: bad value for {option.lstrip('-')}: {raw!r} ({hint})")
    # More than any log holds (lines, jobs) means "all": a C size is what Python's own
    # containers take (``--context 99999999999999999999`` overflowed one).
    return min(number, MOST)


def baseline_file(raw: str) -> str:
    """A good run given to ``stats --baseline`` or ``diff``: an input (exit 3 when missing),
    but not a FIFO or device, which would wait for a writer or lose the bytes its format was
    sniffed from (``run`` and ``trim`` refuse one as a bad ``--baseline`` setting); nor
    stdin (``-``), for the same reason."""
    if raw == "-":
        raise UsageError("a good run cannot be stdin (-): name a log, an archive, a history "
                         "index or a directory of them")  # fmt: skip
    if os.path.exists(raw) and not (os.path.isfile(raw) or os.path.isdir(raw)):
        raise InputError(f"{raw}: not a regular file or directory (a good run is read twice)")
    if not os.path.isdir(raw):  # missing, unreadable: said before the other input's errors
        from ..logs.inputs import probe_input  # (start-up counts)

        probe_input(raw)
    return raw


def level(raw: object) -> int:
    hint = "a whole number between 1 and 22"
    try:
        number = count(raw)
    except BadValue:
        raise BadValue(hint) from None
    if not 1 <= number <= 22:
        raise BadValue(hint)
    return number


#: The most seconds a setting takes: a year. (A timer of 1e10 s overflows the platform's
#: time_t: the grace period's SIGKILL thread died with a traceback.)
MAX_SECONDS = 365 * 24 * 3600


def seconds(raw: object) -> float:
    # float() takes nan and inf; nan then passes `< 0` (it fails every comparison), and
    # either wrecks a timer after the child ran.
    hint = f"seconds: a finite number from 0 to {MAX_SECONDS}, a year"
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)) or not _ascii(raw):
        raise BadValue(hint)
    try:
        seconds = float(raw)
    except ValueError:
        raise BadValue(hint) from None
    if not math.isfinite(seconds) or not 0 <= seconds <= MAX_SECONDS:
        raise BadValue(hint)
    return seconds


def budget(raw: object) -> int:
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        raise BadValue("a size such as 20MB")
    try:
        size = parse_size(raw if isinstance(raw, (int, str)) else str(raw))
    except OverflowError:
        raise BadValue("too large: at most 8 EiB; 20MB is the default") from None
    if size < MIN_BUDGET:
        raise UsageError(
            f"at least {format_size(MIN_BUDGET)}: room for logtrim's own lines (the markers, "
            "and after a run its summary and failure reason), whatever the output"
        )
    return size


def verbatim(raw: object) -> int | None:
    """A size (0: filter from the first line); ``auto``: a twentieth of the budget."""
    if isinstance(raw, str) and raw.strip().lower() == "auto":
        return None
    hint = "a size such as 1MB, 0 to filter from the first line, or auto"
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        raise BadValue(hint)
    try:
        return parse_size(raw if isinstance(raw, (int, str)) else str(raw))
    except OverflowError:
        raise BadValue("too large: at most 8 EiB") from None
    except (ValueError, UsageError):
        raise BadValue(hint) from None


def show_verbatim(size: int | None) -> str:
    return "auto" if size is None else show_size(size)


def ci(raw: object) -> str:
    if not isinstance(raw, str) or raw.lower() not in ("auto", *DIALECTS):
        raise BadValue(f"one of {CI_NAMES}")
    return raw.lower()


_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def flag(raw: object) -> bool:
    """A switch: a TOML boolean, or ``1``/``true``/``yes``/``on`` and ``0``/``false``/..."""
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in _TRUE + _FALSE:
        return raw.strip().lower() in _TRUE
    raise BadValue("true or false")


def show_flag(value: bool) -> str:
    return "true" if value else "false"  # as a config file writes it


def strings(raw: object) -> tuple[str, ...]:
    """A list; a lone string is one item, or a JSON list of strings when it is one (a
    pattern such as ``[DEBUG]`` or ``[0-9]+ errors`` is one item)."""
    if isinstance(raw, str):
        raw = _json_list(raw) if raw.startswith("[") else [raw]
    if not isinstance(raw, (list, tuple)) or not all(isinstance(v, str) for v in raw):
        raise BadValue("a list of strings")
    return tuple(raw)


def secrets(raw: object) -> tuple[str, ...]:
    """:func:`strings`, none of them empty or blanks only (such a secret masks nothing, or
    every blank: a typo, an unset variable), as ``--mask`` refuses them."""
    values = strings(raw)
    if any(not value.strip() for value in values):
        raise BadValue("a list of secrets, none of them empty or blanks only")
    return values


_POSIX_CLASS = lazy(r"\[\[:[a-z]+:\]")


#: What ``re.compile`` raises for a pattern it cannot compile: ``re.error``, and for a
#: repeat count past 2**32 - 1 (``x{99999999999}``) or nesting too deep, these.
BAD_PATTERN = (re.error, OverflowError, RecursionError)


def patterns(raw: object) -> tuple[str, ...]:
    patterns = strings(raw)
    for pattern in patterns:
        if _POSIX_CLASS.search(pattern):  # compiles, as a set of characters: not what is meant
            raise UsageError(
                f"bad regular expression '{pattern}': Python's re has no POSIX classes "
                "such as [:alpha:] (use [a-zA-Z], \\d, \\s)"
            )
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", FutureWarning)  # "possible nested set": [[]
                re.compile(pattern.encode("utf-8", "surrogateescape"))
        except BAD_PATTERN as exc:
            # As typed: repr() would double every backslash of the pattern.
            raise UsageError(f"bad regular expression '{pattern}': {exc}") from None
        refuse_runaway(pattern)
    return patterns


def refuse_runaway(pattern: str) -> None:
    """A pattern that can hold ``re`` for hours on one line (:mod:`logtrim._runaway`) is
    refused as a bad one: run on the child's output, it would hang the step."""
    from .._runaway import runaway

    if runaway(pattern):
        raise UsageError(
            f"bad regular expression '{pattern}': a repeat inside a repeat, such as "
            "(\\w+\\s?)+, can take Python's regex engine hours on one line; write it "
            "without the nesting (e.g. [\\w\\s]+) or make the inner repeat possessive (\\w++)"
        )


def names(raw: object) -> tuple[str, ...]:
    """Variable names: a list, or one string of them (``LOGTRIM_MASK_ENV=A,B``:
    :func:`.split_names`)."""
    items = [raw] if isinstance(raw, str) else strings(raw)
    # Each item split too (``--mask-env "A;B"``, a config's ``["A;B"]``); an empty name
    # (``A,,B``, ``""``) is refused below.
    names = tuple(n.strip() for item in items for n in split_names(item))
    if not all(names):
        # A name lost to a typo (``--mask-env ""``, ``A,,B``) would leave a secret unmasked.
        raise BadValue("variable names: an empty one names nothing")
    return names


def show_seconds(seconds: float) -> str:
    return f"{seconds:g}"


def show_size(size: int) -> str:
    """``20MB``: the default as a user would write it."""
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if size and size % scale == 0:
            return f"{size // scale}{unit}"
    return str(size)


def existing_path(raw: object) -> str:
    """A file or directory that exists ("" for none): not a FIFO or device, which could
    hold the step before it starts, waiting for a writer that never comes."""
    if not isinstance(raw, str):
        raise BadValue("a path")
    if raw and not os.path.exists(raw):
        raise BadValue("no such file or directory")
    if raw and not (os.path.isfile(raw) or os.path.isdir(raw)):
        raise BadValue("not a regular file or directory")
    return raw


def folder(raw: object) -> str:
    """A directory, or a path where one can be made in an existing directory ("" for none):
    a mistyped path must not build a tree of directories."""
    if not isinstance(raw, str):
        raise BadValue("a path")
    if raw and os.path.exists(raw) and not os.path.isdir(raw):
        raise BadValue("not a directory")
    if raw and not os.path.exists(raw):
        parent = os.path.dirname(os.path.abspath(raw))
        if not os.path.isdir(parent):
            raise BadValue(f"no directory {parent} to create it in")
    return raw


def show_path(path: str) -> str:
    return path


def _json_list(raw: str) -> list[str]:
    """``raw`` read as a JSON list of strings, else the list of ``raw`` alone."""
    import json  # only for a list written as JSON (start-up counts)

    try:
        found = json.loads(raw)
    except (ValueError, RecursionError):  # json.JSONDecodeError; ``[[[...`` nested past the limit
        return [raw]
    if isinstance(found, list) and all(isinstance(v, str) for v in found):
        return found
    return [raw]
