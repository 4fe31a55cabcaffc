#!/usr/bin/env python3
"""A noisy, deterministic deployment step, for trying logtrim on something realistic.

It prints what real step scripts print: a banner, thousands of verbose lines (files copied,
sha256 hashes, timings), progress lines, a few warnings, one retried error, and with
``--fail`` an error block and a Python traceback on stderr, then exit code 3.

    python3 samples/deploy.py                   # about 20,000 lines, exit 0
    python3 samples/deploy.py --lines 2000 --fail
    logtrim run -- python3 samples/deploy.py --fail

Same ``--seed`` and options, same output, byte for byte (the clock is simulated). Under
Octopus (``OctopusCalamariWorkingDirectory`` set) the upload also reports
``##octopus[progress ...]`` service messages. The database password printed in the
connection log comes from ``DEPLOY_DB_PASSWORD`` (default ``s3cr3t-Pa55w0rd``), so masking
can be tried: ``logtrim run --mask-env DEPLOY_DB_PASSWORD -- python3 samples/deploy.py``.
Standard library only.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import os
import random
import sys
import time
from datetime import datetime, timedelta, timezone

APP = "shop-api"
VERSION = "4.12.0-rc.3"
ENVIRONMENT = "Production"
DEFAULT_PASSWORD = "s3cr3t-Pa55w0rd"

DIRS = [
    "bin",
    "lib/net8.0",
    "wwwroot/js",
    "wwwroot/css",
    "wwwroot/img",
    "config",
    "migrations",
    "locales/en-GB",
    "locales/de-DE",
    "plugins/payments",
    "plugins/search",
]
WORDS = [
    "Order",
    "Basket",
    "Customer",
    "Invoice",
    "Payment",
    "Catalog",
    "Search",
    "Shipping",
    "Tax",
    "Inventory",
    "Pricing",
    "Coupon",
    "Review",
    "Account",
    "Session",
    "Audit",
]
EXTS = [".dll", ".pdb", ".json", ".js", ".css", ".png", ".sql", ".resx", ".map"]
WARNINGS = [
    "WARNING: config/appsettings.Production.json overrides 'Logging:LogLevel:Default' (Debug) "
    "in production",
    "WARNING: certificate CN=shop-api.internal expires in 21 days (2025-04-04)",
    "WARNING: package Newtonsoft.Json 12.0.3 has a known vulnerability (GHSA-5crp-9r3c-p9vr)",
    "WARNING: disk /var/www has 11% free space (4.2 GB)",
    "WARNING: health check /ready took 2,840 ms (threshold 2,000 ms)",
    "DeprecationWarning: 'pkg_resources' is deprecated; use importlib.metadata",
]


class Clock:
    """A simulated wall clock: deterministic timestamps, optional real pacing."""

    def __init__(self, rng: random.Random, duration: float, total_lines: int) -> None:
        self.now = datetime(2025, 3, 14, 9, 21, 7, tzinfo=timezone.utc)
        self.rng = rng
        self.pause = duration / max(total_lines, 1)

    def tick(self, low_ms: int = 1, high_ms: int = 40) -> str:
        self.now += timedelta(milliseconds=self.rng.randint(low_ms, high_ms))
        if self.pause:
            time.sleep(self.pause)
        return self.now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{self.now.microsecond // 1000:03d}Z"


class Step:
    def __init__(self, args: argparse.Namespace) -> None:
        self.rng = random.Random(args.seed)
        self.lines = max(args.lines, 100)
        self.clock = Clock(self.rng, args.duration, self.lines)
        self.octopus = bool(os.environ.get("OctopusCalamariWorkingDirectory"))  # noqa: SIM112 (Calamari spells it so)
        self.password = os.environ.get("DEPLOY_DB_PASSWORD") or DEFAULT_PASSWORD

    def out(self, text: str, *, flush: bool = False) -> None:
        print(text, flush=flush)

    def info(self, text: str) -> None:
        self.out(f"{self.clock.tick()} INFO  {text}")

    def debug(self, text: str) -> None:
        self.out(f"{self.clock.tick()} DEBUG {text}")

    def sha(self) -> str:
        return hashlib.sha256(self.rng.randbytes(16)).hexdigest()

    def path(self) -> str:
        name = "".join(self.rng.sample(WORDS, 2))
        return f"{self.rng.choice(DIRS)}/{name}{self.rng.choice(EXTS)}"

    def progress(self, percent: int, what: str) -> None:
        self.out(f"{what} {percent}%", flush=True)
        if self.octopus:
            message = base64.b64encode(what.encode()).decode()
            pct = base64.b64encode(str(percent).encode()).decode()
            self.out(f"##octopus[progress percentage='{pct}' message='{message}']", flush=True)

    # The phases of the deployment ------------------------------------------------------------

    def banner(self) -> None:
        rule = "=" * 72
        for line in (
            rule,
            f"  Deploying {APP} {VERSION} to {ENVIRONMENT}",
            "  Target: web-prod-03.internal (linux-x64)  Release: 2025.03.14.2",
            f"  Started: {self.clock.now:%Y-%m-%d %H:%M:%S} UTC",
            rule,
        ):
            self.out(line)
        self.info(f"Python {sys.version.split()[0]}, working directory {os.getcwd()}")
        self.info(
            f"Connecting to database postgres://deploy:{self.password}@db-01.internal:5432/shop"
        )
        self.out("", flush=True)

    def copy_files(self, count: int) -> None:
        self.info(f"Extracting package {APP}.{VERSION}.nupkg to /var/www/{APP}/releases/{VERSION}")
        every = max(count // 5, 40)  # about five warnings, wherever the volume
        for i in range(1, count + 1):
            path = self.path()
            size = self.rng.randint(300, 4_000_000)
            ms = self.rng.randint(0, 90)
            self.debug(f"copy {path} -> /var/www/{APP}/current/{path} ({size:,} bytes, {ms} ms)")
            self.debug(f"  sha256 {self.sha()}  {path}")
            if i % 500 == 0:
                self.info(f"Copied {i:,} of {count:,} files")
            if i % every == every // 2:
                self.out(WARNINGS[(i // every) % len(WARNINGS)])
        self.info(f"Copied {count:,} files")

    def upload(self, chunks: int) -> None:
        self.info(f"Uploading package to cdn-origin.internal ({chunks} chunks)")
        last = -1
        for i in range(1, chunks + 1):
            url = f"/packages/{APP}/{VERSION}/chunk-{i:04d}"
            if i == chunks // 3:  # one transient error, retried: the step still succeeds
                self.out(
                    f"{self.clock.tick()} ERROR upload of chunk-{i:04d} failed: "
                    "ConnectionResetError(104, 'Connection reset by peer'); retrying (1/3)"
                )
                self.debug(f"PUT {url} 200 OK in 611 ms (retry 1)")
            else:
                self.debug(f"PUT {url} 200 OK in {self.rng.randint(12, 480)} ms")
            percent = i * 100 // chunks
            if percent != last and percent % 5 == 0:
                last = percent
                self.progress(percent, "Uploading package")
        self.info("Upload complete")

    def migrate(self, steps: int) -> None:
        self.info(f"Running {steps} database migrations")
        for i in range(1, steps + 1):
            first, second = self.rng.choice(WORDS).lower(), self.rng.choice(WORDS).lower()
            name = f"{20240100 + i * 37:08d}_{first}_{second}"
            self.out(f"[{i}/{steps}] Applying migration {name}", flush=True)
            for _ in range(self.rng.randint(2, 6)):
                self.debug(
                    f"  SQL {self.rng.choice(['ALTER TABLE', 'CREATE INDEX', 'UPDATE'])} "
                    f"{self.rng.choice(WORDS).lower()}s ... {self.rng.randint(1, 900)} ms"
                )
        self.info("Migrations applied")

    def restart(self, drain: int) -> None:
        for node in ("web-prod-01", "web-prod-02", "web-prod-03"):
            self.info(f"Draining {node} from the load balancer")
            for left in range(drain, 0, -1):  # a run of lines identical but for a number
                self.out(f"Waiting for connections to drain on {node} (open: {left})")
            self.info(f"Restarting {APP} on {node}")
            for attempt in range(1, self.rng.randint(2, 4)):
                self.debug(f"GET http://{node}.internal:8080/ready -> 503 (attempt {attempt})")
            self.info(f"{node} is healthy")

    def fail(self) -> None:
        """The failing end: an error block on stdout, then a real traceback on stderr."""
        self.info("Running smoke tests against https://shop-api.internal")
        for check in ("/health", "/ready", "/api/catalog?page=1"):
            self.debug(f"GET {check} -> 200")
        self.out(f"{self.clock.tick()} ERROR Smoke test failed: POST /api/orders returned 500")
        self.out('ERROR:   response: {"error":"relation \\"orders_v2\\" does not exist"}')
        self.out("ERROR:   migration 20241517_order_basket was applied on db-01 but not on db-02")
        self.out(f"ERROR:   rolling back {APP} to 4.11.2", flush=True)
        place_order({"sku": "TSHIRT-42", "qty": 2}, self.password)

    def run(self, fail: bool) -> None:
        self.banner()
        files = int(self.lines * 0.94) // 2
        chunks = max(20, self.lines // 20)
        steps = 40
        self.copy_files(files)
        self.upload(chunks)
        self.migrate(steps)
        self.restart(max(self.lines // 150, 5))
        if fail:
            self.fail()
        self.info(f"Deployment of {APP} {VERSION} to {ENVIRONMENT} succeeded")


class SmokeTestError(RuntimeError):
    """The deployed service answered a smoke test with an error."""


def post(url: str, body: dict[str, object], password: str) -> None:
    status = 500
    if status >= 500:
        raise SmokeTestError(
            f'POST {url} returned {status}: relation "orders_v2" does not exist '
            f"(db=postgres://deploy:{password}@db-02.internal:5432/shop)"
        )


def place_order(order: dict[str, object], password: str) -> None:
    post("https://shop-api.internal/api/orders", order, password)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--lines", type=int, default=20_000, help="lines to print, plus ~300")
    parser.add_argument("--fail", action="store_true", help="fail at the end (exit code 3)")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument(
        "--duration",
        type=float,
        default=0.0,
        help="spread the output over about this many seconds (default 0)",
    )
    args = parser.parse_args(argv)
    step = Step(args)
    try:
        step.run(args.fail)
    except SmokeTestError:
        sys.stdout.flush()
        import traceback

        traceback.print_exc()
        sys.stderr.flush()
        return 3
    except BrokenPipeError:
        # `... | head`: stop quietly, like a well-behaved command-line tool.
        sys.stderr.close()
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
