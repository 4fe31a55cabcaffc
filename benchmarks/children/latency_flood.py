"""Flood stdout with verbose noise at full speed; every INTERVAL seconds write a probe line
``ERROR latency-probe <monotonic_ns> ...``, N probes in all. The reader of the console
timestamps each probe on arrival (same machine, same monotonic clock).

    python benchmarks/children/latency_flood.py N INTERVAL
"""

import os
import sys
import time


def noise() -> bytes:
    return "".join(
        f"2024-05-14 08:17:{i % 60:02d}.{i % 1000:03d} VERBOSE [deploy.sync] Copying"
        f" /srv/app/releases/{i}/lib/module_{i * 7919 % 10007}.py ({i * 31 % 99991} bytes)"
        f" sha256={i * 2654435761:064x}\n"
        for i in range(400)
    ).encode()


def put(data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(1, view) :]


def main() -> None:
    n, interval = int(sys.argv[1]), float(sys.argv[2])
    block = noise()
    due = time.monotonic() + interval
    sent = 0
    while sent < n:
        put(block)
        if time.monotonic() >= due:
            tag = "".join(chr(97 + (sent // 26**k) % 26) for k in range(3))
            put(f"ERROR latency-probe {time.monotonic_ns()} step-{tag} failed\n".encode())
            sent += 1
            due = time.monotonic() + interval


if __name__ == "__main__":
    main()
