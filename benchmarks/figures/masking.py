"""Masking: the throughput run with 100 ``--mask`` secrets (20 present in the log), and with a
3 kB key over many lines, vs none; on the default matcher and on the fallback."""

from __future__ import annotations

import base64
import random
import re
import shlex
from pathlib import Path

from harness import FALLBACK_ENV, MB, OUT, Suite, limit, mb, medians, run_to, speed
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


def certificate(seed: int = 11) -> str:
    """A PEM private key of about 3 kB: a long secret over many lines, as Octopus's
    certificate variables and a ``--mask-env`` of a key file hold."""
    rng = random.Random(seed)
    body = base64.b64encode(rng.randbytes(2400)).decode()
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "\n".join(["-----BEGIN PRIVATE KEY-----", *lines, "-----END PRIVATE KEY-----"])


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
    key = {"LOGTRIM_BENCH_KEY": certificate()}
    keyed = suite.lt_run(art, "cat", log, extra=("--mask-env", "LOGTRIM_BENCH_KEY"))
    # (label, masked, its environment, unmasked's environment, the secrets it masks)
    present, lines, many = secrets[:20], certificate().splitlines(), f"{len(secrets)} secrets"
    cases = [
        (many, masked, {}, {}, present),
        (f"{many}, `LOGTRIM_ENGINE=re`", masked, FALLBACK_ENV, FALLBACK_ENV, present),
        ("a 3 kB key over 40 lines", keyed, key, {}, lines),
        ("a 3 kB key, `LOGTRIM_ENGINE=re`", keyed, {**key, **FALLBACK_ENV}, FALLBACK_ENV, lines),
    ]
    for label, cmd, env, plain_env, hidden in cases:
        t_mask, t_plain = medians(
            suite.runs,
            lambda: run_to(cmd, OUT / "mask.console", budget=limit(size), env=env).wall,  # noqa: B023
            lambda: run_to(plain, OUT / "plain.console", budget=limit(size), env=plain_env).wall,  # noqa: B023
        )
        ratio = t_plain / t_mask
        suite.add(
            f"masking: throughput with {label} vs none ({mb(size)})",
            speed(size, t_mask),
            f"{speed(size, t_plain)} no secrets",
            f"{ratio:.2f}x",
            "≥ 0.9x",
            ok=ratio >= 0.9,
        )
        console = (OUT / "mask.console").read_bytes()
        leaked = [s for s in hidden if s.encode() in console]
        if leaked:
            suite.notes.append(f"masking ({label}): {len(leaked)} secrets unmasked in the console!")
    art.unlink(missing_ok=True)
    _hostile(suite)


def _hostile(suite: Suite) -> None:
    """Hostile output: one byte over and over, with a secret over 60 lines made mostly of it
    (each line the byte 15 times, then 3 digits). Every word of the output is a word of the
    secret's forms: the pure-Python matcher against the compiled one, same input."""
    size = suite.size(64 * MB, 4 * MB)
    log = OUT / f"hostile-{size // MB}MB.log"
    if not log.exists() or log.stat().st_size != size:
        line = b"a" * 999 + b"\n"
        log.write_bytes(line * (size // len(line)) + b"a" * (size % len(line)))
    env = {"LOGTRIM_BENCH_KEY": "\n".join(f"{'a' * 15}{i:03d}" for i in range(60))}
    art = OUT / "hostile.zst"
    cmd = suite.lt_run(art, "cat", log, extra=("--mask-env", "LOGTRIM_BENCH_KEY"))
    t_re, t_hs = medians(
        suite.runs,
        lambda: run_to(cmd, OUT / "hostile.console", env={**env, **FALLBACK_ENV}).wall,
        lambda: run_to(cmd, OUT / "hostile.console", env=env).wall,
    )
    ratio = t_hs / t_re
    suite.add(
        f"masking, hostile output ({mb(size)} of one byte, a 60-line secret of it): "
        "`LOGTRIM_ENGINE=re` vs the default matcher",
        speed(size, t_re),
        f"{speed(size, t_hs)} default matcher",
        f"{ratio:.2f}x",
        "≥ 0.25x",
        ok=ratio >= 0.25,
    )
    art.unlink(missing_ok=True)
