"""Service messages in lines too long to hold, with real children: every one reaches the
console whole and in order, whatever its size or the length of the line it ends, and a huge
one passes through without being held."""

from __future__ import annotations

import hashlib
import mmap
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import RunLogtrim, clean_env, py
from octopus_decoder import decode, messages

from logtrim.engine.masking.forms import base64_forms

#: The tester's child: messages after colour codes, a redraw, a CRLF, at the end of a 3 MB
#: line of text, one of 2.7 MB, and a last one without a newline.
SEVERAL = """
import base64, sys
b = lambda s: base64.b64encode(s.encode()).decode()
w = sys.stdout.buffer.write
w(f"\\x1b[32m##octopus[setVariable name='{b('A1')}' value='{b('x')}']\\x1b[0m\\n".encode())
w(f"50%\\r##octopus[setVariable name='{b('A2')}' value='{b('y')}']\\n".encode())
w(f"##octopus[setVariable name='{b('A3')}' value='{b('z')}']\\r\\n".encode())
w(("x" * 3000000 + f" ##octopus[setVariable name='{b('A4')}' value='{b('w')}']\\n").encode())
w(f"##octopus[setVariable name='{b('A5')}' value='{b('v' * 2000000)}']\\n".encode())
w(f"##octopus[setVariable name='{b('A6')}' value='{b('u')}']".encode())
"""


def test_messages_in_long_lines_arrive_whole_and_in_order(run_logtrim: RunLogtrim) -> None:
    """Each message the child wrote reaches Octopus once, in order, with its value whole: the
    one at the end of 3 MB of text and the one of 2.7 MB too, before logtrim's closing lines."""
    result = run_logtrim("--ci", "octopus", "--budget", "50kB", "--", *py(SEVERAL))
    assert result.code == 0
    found = re.findall(rb"##octopus\[setVariable [^]]*\]", result.stdout)
    variables = [decode(m.decode()) for m in found]
    assert [m.attrs["name"] for m in variables] == ["A1", "A2", "A3", "A4", "A5", "A6"]
    assert variables[4].attrs["value"] == "v" * 2_000_000
    lines = result.stdout.split(b"\n")
    big = next(i for i, x in enumerate(lines) if x.startswith(b"##octopus[setVariable name='QTU="))
    decode(lines[big].decode())  # alone on its line, as Octopus reads it
    summary = next(i for i, x in enumerate(lines) if b" lines (" in x and b" in " in x)
    assert big < summary
    # A ``setVariable`` too long to hold may be sensitive (that comes after its value): its
    # value is masked in the archive, masked as it passes.
    written = subprocess.run(py(SEVERAL), capture_output=True, check=True).stdout
    value = re.compile(rb"(name='QTU=' value=')[^']*'")
    assert value.sub(rb"\1'", result.archive.replace(b"*", b"")) == value.sub(rb"\1'", written)
    assert re.search(rb"name='QTU=' value='(\*{8})+'\]", result.archive)


#: A message of 8 MB written in pieces while lines not shown, then an error, come on stderr
#: (the message takes the live budget: the note that errors stop goes to stdout meanwhile).
INTERLEAVED = """
import os, time
os.write(1, b"##octopus[setVariable name='QQ==' value='")
for i in range(8):
    os.write(1, b"QUJD" * (1 << 18))
    time.sleep(0.05)
    os.write(2, b"".join(b"detail %d.%d\\n" % (i, j) for j in range(50)))
    os.write(2, b"ERROR: failure %d\\n" % i)
    time.sleep(0.05)
os.write(1, b"']\\nafter\\n")
"""


def test_logtrims_lines_wait_for_the_end_of_a_long_message(run_logtrim: RunLogtrim) -> None:
    """While a message too long to hold passes, error lines on stderr go on, and logtrim's own
    lines on stdout (markers, notes) wait for the message's end: none lands inside it."""
    result = run_logtrim("--ci", "octopus", "--budget", "200kB", "--", *py(INTERLEAVED))
    assert result.code == 0
    lines = result.stdout.split(b"\n")
    value = b"QUJD" * (1 << 18) * 8
    assert b"##octopus[setVariable name='QQ==' value='" + value + b"']" in lines
    assert b"ERROR: failure 0" in result.stderr
    assert b"[logtrim] error lines are no longer shown" in result.stdout


#: A message of 160 MB, written 1 MB at a time.
HUGE = """
import os
os.write(1, b"before\\n##octopus[setVariable name='QQ==' value='")
for _ in range(160):
    os.write(1, b"QUJD" * (1 << 18))
os.write(1, b"']\\nafter\\n")
"""
#: Run logtrim as a child, its stdout to a file: the peak memory of it and its children.
PEAK = """
import resource, subprocess, sys
with open(sys.argv[1], "wb") as out:
    subprocess.run(sys.argv[2:], stdout=out, check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def test_a_huge_message_passes_without_being_held(tmp_path: Path) -> None:
    """A 160 MB message reaches the console whole while logtrim's memory stays far below its
    size (a line is never held whole)."""
    console = tmp_path / "console"
    argv = [sys.executable, "-m", "logtrim", "run", "--ci", "octopus", "--artifact",
            str(tmp_path / "a.zst"), "--", *py(HUGE)]  # fmt: skip
    peak = subprocess.run(
        [*py(PEAK), str(console), *argv],
        env=clean_env(),
        cwd=tmp_path,
        capture_output=True,
        check=True,
        timeout=120,
    )
    with console.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as shown:
        start = shown.find(b"##octopus[setVariable")
        end = shown.find(b"\n", start)
        digest = hashlib.sha256(memoryview(shown)[start:end]).hexdigest()
        assert shown.rfind(b"\n", 0, start) == start - 1  # at the start of a line
        assert shown.find(b"before\n") < start < shown.find(b"\nafter\n")
    expected = hashlib.sha256(b"##octopus[setVariable name='QQ==' value='")
    for _ in range(160):
        expected.update(b"QUJD" * (1 << 18))
    expected.update(b"']")
    assert digest == expected.hexdigest()
    assert int(peak.stdout) * 1024 < 80 << 20  # kB; far below the message's 160 MB


#: A message over two lines whose value line is too long to hold (2 MB), in ONE write(),
#: then the same bytes in 64 KB writes (the tester's child).
TWO_LINES = """
import os, sys, time
msg = b"##octopus[setVariable name='eA=='\\nvalue='" + b"QUFB" * 500_000 + b"']\\ndone\\n"
step = int(sys.argv[1]) or len(msg)
for i in range(0, len(msg), step):
    os.write(1, msg[i : i + step])
    time.sleep(0.005 if step < len(msg) else 0)
"""


def test_a_message_over_two_lines_passes_whole_whatever_the_writes(
    run_logtrim: RunLogtrim,
) -> None:
    """Its value line reaches Octopus whole, with its closing ``']``, never cut: in one write
    as in many (the one-write path cut it as text)."""
    shown = []
    for step in ("0", "65536"):
        result = run_logtrim("--ci", "octopus", "--", *py(TWO_LINES), step)
        assert result.code == 0
        assert b"[logtrim: line cut" not in result.stdout
        lines = result.stdout.split(b"\n")
        at = lines.index(b"##octopus[setVariable name='eA==']"[:-1])
        assert lines[at + 1] == b"value='" + b"QUFB" * 500_000 + b"']"
        shown.append(lines[at : at + 3])
    assert shown[0] == shown[1]


#: Messages of 1.2 MB whose value holds a secret the run masks, at each of base64's three
#: byte alignments, written in 4 kB pieces.
SECRET_INSIDE = """
import base64, os, sys
secret = sys.argv[1].encode()
for name, key in (("setVariable name='YQ==' value", 0), ("resultMessage message", 1),
                  ("progress percentage='NTA=' message", 2)):
    value = base64.b64encode(b"B" * key + secret + b"B" * 900_000)
    line = b"##octopus[" + name.encode() + b"='" + value + b"']\\n"
    for at in range(0, len(line), 4096):
        os.write(1, line[at : at + 4096])
"""


def test_a_secret_in_a_long_messages_value_is_masked_as_base64(run_logtrim: RunLogtrim) -> None:
    """A message too long to hold whose base64 value holds a known secret: the value reached
    the console as written (the secret's base64 in clear), or masked with ``********``,
    which is no base64 (Octopus drops the message). Its value is now base64 of the same
    length in which the secret reads as ``*``s."""
    secret = "Zq7Secret9Val"
    result = run_logtrim("--ci", "octopus", "--mask", secret, "--", *py(SECRET_INSIDE), secret)
    assert result.code == 0
    found = [m for m in messages(result.stdout) if m.name != "createArtifact"]
    assert [m.name for m in found] == ["setVariable", "resultMessage", "progress"]
    for key, message in enumerate(found):
        value = message.attrs["value" if key == 0 else "message"]
        assert secret[1:-1] not in value
        assert len(value) == key + len(secret) + 900_000
        assert value.startswith("B" * key) and value.endswith("B" * 899_000)
        assert "*" * (len(secret) - 2) in value[: key + len(secret)]
    for spelled in (secret.encode(), *base64_forms(secret.encode())):
        assert spelled not in result.stdout + result.stderr
        assert spelled not in result.archive


@pytest.mark.parametrize("secret", ["\u00e9Secret99x", "\U0001f511Secret99x"])
def test_a_long_values_masked_secret_leaves_its_neighbours_whole(
    run_logtrim: RunLogtrim, secret: str
) -> None:
    """Its base64 was written over character by character: a character at each edge also
    held bits of the bytes around it, so a secret that starts with a character past ASCII
    left a byte that is no UTF-8 (a strict decoder refuses the message). The groups that
    hold it are written again whole now: its bytes are ``*``, the bytes around it as they
    were, at each of base64's alignments."""
    result = run_logtrim("--ci", "octopus", "--mask", secret, "--", *py(SECRET_INSIDE), secret)
    assert result.code == 0
    found = [m for m in messages(result.stdout) if m.name != "createArtifact"]
    for key, message in enumerate(found):
        value = message.attrs["value" if key == 0 else "message"]
        size = len(secret.encode())
        assert value == "B" * key + "*" * size + "B" * 900_000
