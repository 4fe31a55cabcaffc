"""Generate realistic synthetic logs: an Octopus raw task log and a noisy plain deploy log.

No public full-length raw task log exists, so fixtures follow the documented format
(docs: the raw task log section of the Octopus contract): a header block of ``Key:`` lines,
then ``HH:MM:SS   Level    | `` lines, two spaces of indent per depth, continuation lines and
node headers with 20 spaces in place of time and level. The root node prints its own
entries (including "The deployment failed because ...") before its children, as real
servers do.

    python samples/make_tasklog.py                      # writes samples/octopus-raw-task-log.txt
    python samples/make_tasklog.py 40MB out.txt         # any size
    python samples/make_tasklog.py --noisy 100MB n.log  # a plain noisy deploy log

This file is the one copy of the generators; ``tests/tasklog_gen.py`` loads it by path.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

CONT = b" " * 20 + b"|"
DEPLOYMENT_FAILED = (
    "The deployment failed because one or more steps failed. "
    "Please see the deployment log for details."
)
HOSTS = ("web-01", "web-02", "web-03", "api-01", "worker-01")


class _Writer:
    """Formats raw task log lines and keeps a virtual clock and a byte count."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.seconds = 16 * 3600 + 5 * 60 + 7
        self.size = 0
        self.out: list[bytes] = []
        self.last = b""

    def _add(self, line: bytes) -> None:
        self.out.append(line)
        self.size += len(line)
        self.last = line

    def entry(self, level: str, depth: int, text: str, *more: str) -> None:
        """One log entry, with continuation lines for a multi-line message."""
        self.seconds += self.rng.random() < 0.05
        s = self.seconds % 86400
        stamp = f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"
        pad = "  " * depth
        self._add(f"{stamp}   {level:<9}| {pad}{text}\n".encode())
        for line in more:
            self._add(CONT + (f" {pad}{line}\n".encode() if line else b"\n"))

    def node(self, depth: int, status: str, name: str) -> None:
        if self.size and self.last != b"\n":  # a blank continuation line separates sibling nodes
            self._add(CONT + b"\n")
        text = f"== {status}: {name} ==" if depth <= 1 else f"{status}: {name}"
        self._add(CONT + f" {'  ' * depth}{text}\n".encode())

    def take(self) -> bytes:
        data = b"".join(self.out)
        self.out.clear()
        return data


def _verbose_line(rng: random.Random, host: str) -> str:
    """One line of the Verbose noise that makes task logs big."""
    n = rng.randrange
    release = f"2024.{n(1, 12)}.{n(1, 400)}"
    pick = n(100)
    if pick < 30:
        return (
            f"Extracting package to: /home/octopus/.octopus/Applications/Production/Web/"
            f"{release}_{n(1, 9)}/wwwroot/lib/module{n(1, 5000)}.js"
        )
    if pick < 50:
        return f"Performing variable substitution on '/etc/app/conf.d/site{n(1, 300)}.json'"
    if pick < 65:
        return (
            f"npm http fetch GET 200 https://registry.npmjs.org/pkg-{n(1, 900)} "
            f"{n(2, 900)}ms (cache {'hit' if n(2) else 'revalidated'})"
        )
    if pick < 78:
        return f"Transferred {n(1, 999)}.{n(10)} MB of {n(1000, 2000)} MB to {host} ({n(1, 100)}%)"
    if pick < 88:
        return f"Adding journal entry: ServerTasks-{n(1000, 99999)} {release} {host}"
    if pick < 95:
        return f"{rng.getrandbits(128):032x}: layer already exists"
    return f"deployment.apps/web-{n(1, 40)} configured (generation {n(1, 90)})"


def tasklog(target: int, seed: int = 7) -> Iterator[bytes]:
    """Yield a raw task log of about ``target`` bytes in chunks; same seed, same bytes."""
    rng = random.Random(seed)
    w = _Writer(rng)
    for key, value in (
        ("Task ID:", f"ServerTasks-{rng.randrange(10000, 99999)}"),
        ("Task status:", "Failed"),
        ("Task queued:", "24 September 2024 16:05"),
        ("Task started:", "24 September 2024 16:05"),
        ("Task duration:", "41 minutes"),
        ("Server version:", "2024.2.9313"),
    ):
        w._add(f"{key:<16}{value}\n".encode())
    w._add(b"\n")
    w.node(0, "Failed", "Deploy Web Shop release 2024.9.12 to Production")
    w.entry("Verbose", 1, "Guided failure is not enabled for this task")
    w.entry("Info", 1, "Deploying Web Shop release 2024.9.12 to Production")
    w.entry("Error", 1, DEPLOYMENT_FAILED)
    yield w.take()

    steps: list[tuple[str, str, tuple[str, ...]]] = [
        ("Success", "Acquire packages", ("web-01", "web-02")),
        ("Success", "Step 1: Stop load balancer pool", ("web-01",)),
        ("Success", "Step 2: Run database migrations", ("worker-01",)),
        ("Skipped", "Step 3: Warm up caches", ()),
        ("Failed", "Step 4: Deploy web app", ("web-01", "web-02", "web-03")),
        ("Success", "Step 5: Notify the team", ("worker-01",)),
    ]
    hosts_total = sum(len(h) for _, _, h in steps)
    per_host = max(0, target - 6000) // hosts_total
    for status, name, hosts in steps:
        w.node(1, status, name)
        if status == "Skipped":
            w.entry("Info", 2, "This step was skipped because its run condition was not met")
            continue
        w.entry("Info", 2, f"Running '{name.split(': ')[-1]}' on {len(hosts)} target(s)")
        for i, host in enumerate(hosts):
            failed = status == "Failed" and i == 1
            w.node(2, "Failed" if failed else "Success", host)
            w.entry("Verbose", 3, f"Calamari Version: 28.{rng.randrange(9)}.{rng.randrange(99)}")
            start = w.size
            while w.size - start < per_host:
                r = rng.random()
                if r < 0.004:
                    w.entry(
                        "Warning",
                        3,
                        f"Disk usage on {host} is {rng.randrange(85, 99)}% for /var/lib/docker",
                    )
                elif r < 0.005:
                    w.entry(
                        "Warning",
                        3,
                        "npm WARN deprecated request@2.88.2: request has been deprecated",
                        "see https://github.com/request/request/issues/3142",
                    )
                elif r < 0.02:
                    w.entry("Info", 3, f"Uploaded {rng.randrange(1, 900)} files to {host}")
                elif r < 0.03:
                    w.entry("Highlight", 3, f"Health check on {host} passed")
                else:
                    w.entry("Verbose", 3, _verbose_line(rng, host))
                if len(w.out) > 2000:
                    yield w.take()
            if failed:
                w.entry(
                    "Error",
                    3,
                    "System.InvalidOperationException: Connection refused (db-01:5432)",
                    "   at Npgsql.NpgsqlConnector.Connect(NpgsqlTimeout timeout)",
                    "   at WebShop.Migrations.Program.Main(String[] args) in Program.cs:line 42",
                )
                w.entry("Error", 3, "Health check failed: HTTP 503 from http://web-02:8080/health")
                w.entry("Fatal", 3, "The remote script failed with exit code 1")
                w.entry(
                    "Verbose",
                    3,
                    "at Octopus.Worker.Scripting.ScriptResult.EnsureSuccessful()",
                    "at Octopus.Server.Orchestration.Deploy.Script.ScriptActionHandler"
                    ".Execute(ActionCommand command, Machine machine)",
                )
            else:
                w.entry("Info", 3, f"Successfully finished on {host}")
        if status == "Failed":
            w.entry("Fatal", 2, "One or more child activities failed")
    yield w.take()


_NOISY: tuple[Callable[[random.Random], str], ...] = (
    lambda r: (
        f"2024-05-01T12:{r.randrange(60):02d}:{r.randrange(60):02d}.{r.randrange(1000):03d}Z "
        f"[INFO] Processed batch {r.randrange(99999)} of 100000 in {r.randrange(999)} ms"
    ),
    lambda r: (
        f"npm http fetch GET 200 https://registry.npmjs.org/pkg-{r.randrange(900)} "
        f"{r.randrange(2, 900)}ms (cache hit)"
    ),
    lambda r: f"Copying /srv/app/releases/{r.randrange(99)}/node_modules/m{r.randrange(5000)}.js",
    lambda r: f"  -> layer sha256:{r.getrandbits(64):016x}: Pull complete",
    lambda r: f"health check web-{r.randrange(40):02d} ok (latency={r.randrange(90)}ms)",
)
_NOISY_WEIGHTS = (55, 20, 15, 6, 4)


def noisy_log(target: int, seed: int = 7) -> Iterator[bytes]:
    """Yield a plain deploy log of about ``target`` bytes: one dominant template, some rare."""
    rng = random.Random(seed)
    size = 0
    while size < target:
        lines = [f(rng) for f in rng.choices(_NOISY, _NOISY_WEIGHTS, k=2000)]
        lines.append(f"WARNING: retrying upload ({rng.randrange(5)} of 5)")
        if rng.random() < 0.1 or size == 0:
            lines.append("ERROR: could not connect to db-01:5432")
        chunk = ("\n".join(lines) + "\n").encode()
        size += len(chunk)
        yield chunk


def write(path: Path, chunks: Iterator[bytes]) -> int:
    size = 0
    with path.open("wb") as file:
        for chunk in chunks:
            file.write(chunk)
            size += len(chunk)
    return size


def _size(text: str) -> int:
    units = {"KB": 1000, "MB": 1000**2, "GB": 1000**3}
    for unit, scale in units.items():
        if text.upper().endswith(unit):
            return int(float(text[: -len(unit)]) * scale)
    return int(text)


def main(argv: list[str]) -> int:
    if "-h" in argv or "--help" in argv:
        print(__doc__.split("\n\n")[2].strip("\n"))  # the usage lines
        return 0
    noisy = "--noisy" in argv
    args = [a for a in argv if a != "--noisy"]
    try:
        target = _size(args[0]) if args else 1_000_000
    except ValueError:
        print(f"make_tasklog.py: not a size: {args[0]!r} (e.g. 40MB)", file=sys.stderr)
        return 2
    default = Path(__file__).with_name("octopus-raw-task-log.txt")
    path = Path(args[1]) if len(args) > 1 else default
    size = write(path, noisy_log(target) if noisy else tasklog(target))
    print(f"wrote {size:,} bytes to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
