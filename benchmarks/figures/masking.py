"""Masking: the throughput run with 100 ``--mask`` secrets (20 present in the log) vs none."""

from __future__ import annotations

import random
import re
import shlex
from pathlib import Path

from harness import MB, OUT, Suite, limit, mb, medians, run_to, speed
from inputs import deploy_log


def make_secrets(log: Path, count: int = 100, present: int = 20) -> list[str]:
    """``count`` secrets: ``present`` occur in ``log`` (prefixes of its hashes), the rest do not."""
    with log.open("rb") as f:
        head = f.read(4 * MB).decode()
    found = list(dict.fromkeys(m[:24] for m in re.findall(r"\b[0-9a-f]{64}\b", head)))
    rng = random.Random(7)
    chosen = rng.sample(found, min(present, len(found)))
    while len(chosen) < count:
        chosen.append("S3cr3t-" + "".join(rng.choices("ABCDEFGHJKLMNPQRSTUVWXYZ23456789", k=20)))
    return chosen


def bench(suite: Suite) -> None:
    size = suite.size(256 * MB, 8 * MB)
    log = deploy_log(suite, size)
    secrets = make_secrets(log)
    masks = tuple(x for s in secrets for x in ("--mask", s))
    art = OUT / "mask.zst"
    plain = suite.lt_run(art, "cat", log)
    masked = suite.lt_run(art, "cat", log, extra=masks, record=False)
    head = shlex.join(plain[: plain.index("--")])
    suite.show(f"{head} --mask VALUE (x{len(secrets)}) -- cat {log}")
    t_mask, t_plain = medians(
        suite.runs,
        lambda: run_to(masked, OUT / "mask.console", budget=limit(size)).wall,
        lambda: run_to(plain, OUT / "plain.console", budget=limit(size)).wall,
    )
    ratio = t_plain / t_mask
    suite.add(
        f"masking: throughput with {len(secrets)} secrets vs none ({mb(size)})",
        speed(size, t_mask),
        f"{speed(size, t_plain)} no secrets",
        f"{ratio:.2f}x",
        "≥ 0.9x",
        ok=ratio >= 0.9,
    )
    console = (OUT / "mask.console").read_bytes()
    leaked = [s for s in secrets[:20] if s.encode() in console]
    if leaked:
        suite.notes.append(f"masking: {len(leaked)} secrets appear unmasked in the console!")
    art.unlink(missing_ok=True)
