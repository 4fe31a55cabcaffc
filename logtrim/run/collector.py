"""The garbage collector while ``run`` feeds the engine.

An error flood makes Python objects by the chunk (a hit per line, about 14,000 in a MiB of
short lines) that live until the chunk is done. With CPython's default threshold (a young
collection every 700 allocations) each collection walks the chunk's objects still alive,
and they survive into the older generations that later collections walk again: about a
tenth of a flood's time (issue 17.20). During a run, young collections come every 50,000
allocations, so most of a chunk's objects are freed by their counts before any collection
sees them, and what start-up made (modules, rules, the engine's tables) is frozen out of
the collections. Cycles are still collected. ``run`` owns its process; the handler never
touches the collector of the program it lives in.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_YOUNG = 50_000  # allocations between young collections (CPython's default: 700)


@contextmanager
def relaxed() -> Iterator[None]:
    """Fewer collections, start-up's objects frozen; as before afterwards."""
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(_YOUNG, before[0]), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()
