"""What the tests of the second core's share of ``run`` use (test_scan_aside.py: the scans of
the fallback engine; test_checker.py: the baseline's look-ups): a child that writes a log in
large, odd-sized chunks, and the console without the figures that depend on time."""

from __future__ import annotations

import re
import sys
from pathlib import Path


def chunked_child(log: Path) -> list[str]:
    """A step that writes ``log`` in writes of 300,007 bytes (lines split across reads),
    pausing after every third, and exits 3."""
    code = (
        "import sys, time\n"
        f"data = open({str(log)!r}, 'rb').read()\n"
        "out = sys.stdout.buffer\n"
        "for k, at in enumerate(range(0, len(data), 300_007)):\n"
        "    out.write(data[at:at + 300_007]); out.flush()\n"
        "    if k % 3 == 0: time.sleep(0.01)\n"
        "sys.exit(3)\n"
    )
    return [sys.executable, "-c", code]


def timeless(text: bytes) -> bytes:
    """The console without the figures that depend on time: the run's, and the archive's
    compressed size (its writer ends a frame every second)."""
    text = re.sub(rb"in \d+(\.\d+)?s\b", b"in Ts", text)
    return re.sub(rb"\([\d.]+ [kMG]?B, [\d.]+x smaller\)", b"(size)", text)
