"""The closing summary and the JSON object of ``logtrim diff`` (:mod:`.diff`)."""

from __future__ import annotations

from typing import Any

from ..engine.match.kinds import TIERS
from ..engine.shapes.shapes import shape_of
from .diff import GOOD_SHAPES, Diff, block


def _n(count: int, one: str, many: str) -> str:
    """``1 line``, ``2,345 lines``."""
    return f"{count:,} {one if count == 1 else many}"


def summary(diff: Diff) -> str:
    repeats = sum(f.repeats for f in diff.found)
    return (
        f"{_n(len(diff.found), 'new line shape', 'new line shapes')} "
        f"({diff.new_lines:,} of {_n(diff.lines, 'line', 'lines')}); "
        f"shown {len(diff.shown):,}, held back by the budget {diff.held_back:,}"
        + (
            f"; {_n(repeats, 'later line', 'later lines')} of the same shapes or words not shown"
            if repeats
            else ""
        )
        + (
            f"; {_n(diff.near_shapes, 'more new shape', 'more new shapes')} "
            f"({_n(diff.near_lines, 'line', 'lines')}) near a good run's line, not shown"
            if diff.near_shapes
            else ""
        )
        + (
            f"; {diff.labels:,} new lines that are only a label (a word or two and a colon) "
            "not shown"
            if diff.labels
            else ""
        )
        + (
            f"; {diff.unkept:,} more new lines of further new shapes only counted "
            "(too many shapes to keep)"
            if diff.unkept
            else ""
        )
        + _bounds(diff)
    )


def _bounds(diff: Diff) -> str:
    """What the summary says of a cap reached: which new lines may not be new."""
    out = ""
    if diff.near_bounded:
        out += (
            "; the similarity stage reached its bounds (GOOD's distinct lines or comparisons): "
            "some new lines shown may be near a good run's line"
        )
    if diff.good_full:
        out += (
            f"; GOOD has more than {GOOD_SHAPES:,} line shapes, not all kept: "
            "some lines shown as new may be in GOOD"
        )
    return out


def to_json(diff: Diff) -> dict[str, Any]:
    def line(number: int, text: bytes) -> dict[str, Any]:
        return {"line": number, "text": text.decode("utf-8", "replace")}

    return {
        "lines": diff.lines,
        "new_lines": diff.new_lines,
        "new_shapes": len(diff.found),
        "near_shapes": diff.near_shapes,
        "near_lines": diff.near_lines,
        "held_back": diff.held_back,
        **({"labels": diff.labels} if diff.labels else {}),
        **({"unkept_lines": diff.unkept} if diff.unkept else {}),
        **({"near_bounded": True} if diff.near_bounded else {}),
        **({"good_full": True} if diff.good_full else {}),
        "shown": [
            {
                **line(f.number, f.text),
                "shape": shape_of(f.text).decode("utf-8", "replace"),
                "tier": TIERS[f.tier].name,
                "repeats": f.repeats,
                "context": [line(n, t) for n, t in block(f) if n != f.number],
            }
            for f in diff.shown
        ],
    }
