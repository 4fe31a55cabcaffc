"""Run one command and keep its output as a person and as a CI agent see it.

Writes NAME.out (stdout), NAME.err (stderr) and NAME.log (both streams in the order the
bytes arrived, as a terminal shows `cmd 2>&1`) into the directory given by --dir, and
records `NAME<TAB>exit<TAB>command<TAB>note` in runs.tsv there (the note says if the
middle was cut). Both streams are pipes, as on a CI agent, so tools buffer as in CI.

    python capture.py --dir failures --cwd /tmp/fx/x NAME -- COMMAND...
"""

from __future__ import annotations

import argparse
import os
import selectors
import shlex
import subprocess
from pathlib import Path


def cut_middle(data: bytes, limit: int) -> bytes:
    """The first and last whole lines of `data` within `limit` bytes, without a marker."""
    if len(data) <= limit:
        return data
    head = data[: limit // 2]
    head = head[: head.rfind(b"\n") + 1]
    tail = data[len(data) - (limit - len(head)) :]
    tail = tail[tail.find(b"\n") + 1 :]
    return head + tail


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", type=Path, required=True)
    parser.add_argument("--cwd", default=None)
    parser.add_argument(
        "--cut",
        type=int,
        default=0,
        help="keep at most this many bytes per file: its first and last whole lines",
    )
    parser.add_argument("name")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    out, err, log = bytearray(), bytearray(), bytearray()
    proc = subprocess.Popen(
        command,
        cwd=args.cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ, out)
    sel.register(proc.stderr, selectors.EVENT_READ, err)
    while sel.get_map():
        for key, _ in sel.select():
            chunk = os.read(key.fd, 65536)
            if not chunk:
                sel.unregister(key.fileobj)
                continue
            key.data.extend(chunk)
            log.extend(chunk)
    code = proc.wait()
    args.dir.mkdir(parents=True, exist_ok=True)
    note = ""
    for suffix, data in ((".out", out), (".err", err), (".log", log)):
        kept = cut_middle(bytes(data), args.cut) if args.cut else bytes(data)
        if len(kept) != len(data):
            note = f"middle cut to {args.cut} B per file (was {len(data)} B)"
        (args.dir / (args.name + suffix)).write_bytes(kept)
    runs = args.dir / "runs.tsv"
    rows = runs.read_text(encoding="utf-8").splitlines(keepends=True) if runs.exists() else []
    rows = [row for row in rows if row.split("\t", 1)[0] != args.name]
    rows.append(f"{args.name}\t{code}\t{shlex.join(command)}\t{note}\n")
    runs.write_text("".join(sorted(rows)), encoding="utf-8")
    print(f"{args.name}: exit {code}, out {len(out)} B, err {len(err)} B")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
