"""One module per figure, each with ``bench(suite)``; the names are ``run.py --only``'s."""

from __future__ import annotations

from collections.abc import Callable

from figures import (
    baseline,
    bombs,
    classify,
    corpus,
    errorflood,
    handler,
    latency,
    masking,
    memory,
    startup,
    throughput,
    trim,
)
from harness import Suite

FIGURES: dict[str, Callable[[Suite], None]] = {
    "throughput": throughput.bench,
    "memory": memory.bench,
    "latency": latency.bench,
    "startup": startup.bench,
    "masking": masking.bench,
    "handler": handler.bench,
    "trim": trim.bench,
    "corpus": corpus.bench,
    "classify": classify.bench,
    "bombs": bombs.bench,
    "errorflood": errorflood.bench,
    "baseline": baseline.bench,
}
