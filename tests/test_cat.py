"""``logtrim cat``: archives back to text, also truncated ones; ``--grep`` filters."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import clean_env

from logtrim.archive.zstd import ArchiveEncoder

DATA = b"".join(b"%05d deploy step %s\n" % (i, b"ERROR" if i % 1000 == 7 else b"ok")
                for i in range(50_000))  # fmt: skip


def _archive(path: Path, data: bytes = DATA) -> bytes:
    encoder = ArchiveEncoder(level=3, frame_bytes=200_000)
    packed = encoder.feed(data, 0.0) + encoder.finish()
    path.write_bytes(packed)
    return packed


def _cli(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "logtrim", "cat", *args],
        capture_output=True, env=clean_env(), timeout=60, check=False,
    )  # fmt: skip


def test_archives_decode_to_stdout_in_order(tmp_path: Path) -> None:
    """Several archives print one after the other, byte for byte."""
    _archive(tmp_path / "a.zst", b"first\n")
    _archive(tmp_path / "b.zst")
    proc = _cli(str(tmp_path / "a.zst"), str(tmp_path / "b.zst"))
    assert proc.returncode == 0 and proc.stderr == b""
    assert proc.stdout == b"first\n" + DATA


def test_truncated_archive_prints_what_decodes_and_warns(tmp_path: Path) -> None:
    """A cut-off archive (a killed run) prints its start, one warning line, and exits 0."""
    packed = _archive(tmp_path / "full.zst")
    cut = tmp_path / "cut.zst"
    cut.write_bytes(packed[: len(packed) * 2 // 3])
    proc = _cli(str(cut))
    assert proc.returncode == 0
    assert proc.stdout and DATA.startswith(proc.stdout)
    warning = proc.stderr.decode()
    assert warning == f"logtrim: {cut}: truncated at the end ({len(proc.stdout):,} bytes decoded)\n"


def test_a_line_a_cut_archive_ends_in_is_ended_before_the_next_input(tmp_path: Path) -> None:
    """The next input starts a line of its own (the warning says where the archive ends)."""
    packed = _archive(tmp_path / "full.zst")
    cut = tmp_path / "cut.zst"
    cut.write_bytes(packed[: len(packed) * 2 // 3])
    alone = _cli(str(cut)).stdout
    assert not alone.endswith(b"\n")  # (the cut falls inside a line)
    (tmp_path / "next.log").write_bytes(b"next input\n")
    proc = _cli(str(cut), str(tmp_path / "next.log"))
    assert proc.stdout == alone + b"\nnext input\n"


def test_grep_filters_lines(tmp_path: Path) -> None:
    """--grep prints only the matching lines, whole."""
    _archive(tmp_path / "a.zst")
    proc = _cli("--grep", "ERROR$", str(tmp_path / "a.zst"))
    assert proc.returncode == 0
    assert proc.stdout.splitlines() == [
        line for line in DATA.splitlines() if line.endswith(b"ERROR")
    ]
    assert len(proc.stdout.splitlines()) == 50


def test_grep_reads_a_line_as_it_reads_without_colours_or_its_cr(tmp_path: Path) -> None:
    """A coloured line matches ``^error`` and a Windows line ``expected$``, as a person reads
    them; each is printed as the step wrote it."""
    lines = [b"\x1b[31merror\x1b[0m: boom\r\n", b"all as expected\r\n", b"plain\n"]
    _archive(tmp_path / "a.zst", b"".join(lines))
    assert _cli("--grep", "^error", str(tmp_path / "a.zst")).stdout == lines[0]
    assert _cli("--grep", "expected$", str(tmp_path / "a.zst")).stdout == lines[1]


def test_grep_over_several_files_says_whose_each_line_is(tmp_path: Path) -> None:
    """As grep does with several files: each match after its file's name and a colon (a
    match could not be told from the others' before); one file's as it is."""
    a, b = tmp_path / "web-01.log.zst", tmp_path / "web-02.log"
    _archive(a, b"deploy ok\nERROR: disk full on /var\n")
    b.write_bytes(b"ERROR: certificate expired\ndeploy ok\n")
    proc = _cli("--grep", "ERROR", str(a), str(b))
    assert proc.returncode == 0
    assert proc.stdout.splitlines() == [
        f"{a}:ERROR: disk full on /var".encode(),
        f"{b}:ERROR: certificate expired".encode(),
    ]
    assert _cli("--grep", "ERROR", str(b)).stdout == b"ERROR: certificate expired\n"
    assert _cli(str(a), str(b)).stdout.startswith(b"deploy ok\n")  # no --grep: as stored


def test_missing_archive_and_bad_regex(tmp_path: Path) -> None:
    """A missing archive exits 3 and a bad --grep regex exits 2, each with one line."""
    missing = _cli(str(tmp_path / "gone.zst"))
    assert missing.returncode == 3 and missing.stderr.count(b"\n") == 1
    bad = _cli("--grep", "(", str(tmp_path / "gone.zst"))
    assert bad.returncode == 2 and b"bad --grep regex" in bad.stderr


def test_a_missing_input_among_several_is_said_and_the_others_print(tmp_path: Path) -> None:
    """As cat and ``zstd -dcf`` do: a missing file or a directory among the inputs is said
    in its turn, the others still print in order, and the exit code is 3 at the end (it
    printed nothing at all)."""
    a, b = tmp_path / "a.log", tmp_path / "b.log"
    a.write_bytes(b"first log\n")
    b.write_bytes(b"second log\n")
    r = _cli(str(a), str(tmp_path / "gone.log"), str(tmp_path), str(b))
    assert r.returncode == 3
    assert r.stdout == b"first log\nsecond log\n"
    errors = r.stderr.decode().splitlines()
    assert errors[0] == f"logtrim: error: {tmp_path / 'gone.log'}: no such file"
    assert errors[1] == f"logtrim: error: {tmp_path}: is a directory"
    assert "not read whole" in errors[-1] and len(errors) == 3


def test_a_binary_input_among_several_is_said_and_the_next_still_print(tmp_path: Path) -> None:
    """A binary file found in its turn does not stop the inputs after it; its error is said
    masked with what an input before it declared."""
    a, b = tmp_path / "a.log", tmp_path / "b.log"
    a.write_bytes(b"first log\n::add-mask::CatSecret0042\n")
    binary = tmp_path / "CatSecret0042.dat"
    binary.write_bytes(b"\x00\x01\x02 image\x00" * 400)
    b.write_bytes(b"second log\n")
    r = _cli(str(a), str(binary), str(b))
    assert r.returncode == 3
    assert r.stdout == b"first log\n::add-mask::********\nsecond log\n"
    errors = r.stderr.decode().splitlines()
    assert "binary file" in errors[0] and "--binary" in errors[0]
    assert "not read whole" in errors[-1] and len(errors) == 2
    assert b"CatSecret0042" not in r.stderr


# A plain log that prints a secret before it declares it, and a URL with a password.
DECLARING = (
    b"use StatsSecret01 postgres://u:urlpw99@h/db\n"
    b"::add-mask::StatsSecret01\n"
    b"##octopus[setVariable name='eA==' value='T2N0b1NlY3JldDAy' sensitive='VHJ1ZQ==']\n"
    b"again StatsSecret01 and OctoSecret02\n"
)
MASKED = (
    b"use ******** postgres://u:********@h/db\n"
    b"::add-mask::********\n"
    b"##octopus[setVariable name='eA==' value='********' sensitive='VHJ1ZQ==']\n"
    b"again ******** and ********\n"
)


def test_a_plain_log_is_masked_as_trim_stats_and_diff_mask_it(tmp_path: Path) -> None:
    """What the log declares (from its first line: a plain file is read for declarations
    first) and URL passwords; with --grep too, which filters the masked lines."""
    log = tmp_path / "step.log"
    log.write_bytes(DECLARING)
    proc = _cli(str(log))
    assert proc.returncode == 0 and proc.stderr == b""
    assert proc.stdout == MASKED
    grep = _cli("--grep", "again|use", str(log))
    assert grep.stdout == MASKED.splitlines(keepends=True)[0] + MASKED.splitlines(keepends=True)[3]


def test_a_compressed_log_is_masked_from_each_declaration_on(tmp_path: Path) -> None:
    """A .gz log is read once: masked from the line that declares a secret on (the lines
    read with it too), as trim and stats read it; URL passwords everywhere."""
    log = tmp_path / "step.log.gz"
    log.write_bytes(gzip.compress(DECLARING))
    proc = _cli(str(log))
    assert proc.returncode == 0 and proc.stderr == b""
    first, rest = proc.stdout.split(b"\n", 1)
    assert rest == MASKED.split(b"\n", 1)[1]
    assert first.endswith(b" postgres://u:********@h/db")


def test_an_archive_that_starts_with_a_skippable_frame_is_zstd(tmp_path: Path) -> None:
    """pzstd writes a skippable frame (its frame's size) before each frame: that file is an
    archive like any other, for ``cat`` and for ``stats`` and ``trim``."""
    import struct

    import zstandard

    path = tmp_path / "parallel.log.zst"
    packed = b""
    for part in (DATA[:500_000], DATA[500_000:]):
        frame = zstandard.ZstdCompressor().compress(part)
        packed += struct.pack("<III", 0x184D2A50, 4, len(frame)) + frame
    path.write_bytes(packed)
    proc = _cli(str(path))
    assert proc.returncode == 0 and proc.stderr == b""
    assert proc.stdout == DATA
    for command in (["stats", "--json"], ["trim", "--budget", "64kB"]):
        done = subprocess.run(
            [sys.executable, "-m", "logtrim", *command, str(path)],
            capture_output=True, env=clean_env(), timeout=60, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert b"ERROR" in done.stdout and b"binary" not in done.stderr


def test_a_utf16_log_is_masked_from_its_declarations(tmp_path: Path) -> None:
    """A plain UTF-16 log (PowerShell's ``>`` writes one, with its byte-order mark) is
    printed as UTF-8 with what it declares masked: its declarations were looked for in
    the raw UTF-16 bytes, found nowhere, and the secret was printed, ``--grep`` too."""
    text = "early Utf16Secret9\r\n::add-mask::Utf16Secret9\r\nuse Utf16Secret9\r\n"
    for codec in ("utf-16-le", "utf-16-be"):
        log = tmp_path / f"{codec}.log"
        log.write_bytes(("\ufeff" + text).encode(codec))
        whole, grepped = _cli(str(log)), _cli("--grep", "use", str(log))
        assert whole.returncode == grepped.returncode == 0
        assert whole.stdout == b"early ********\r\n::add-mask::********\r\nuse ********\r\n"
        assert grepped.stdout == b"use ********\r\n"


def test_output_that_starts_with_ff_fe_is_printed_as_stored(tmp_path: Path) -> None:
    """A run's archive whose first bytes are FF FE, then UTF-8 text, is no UTF-16: it was
    decoded as UTF-16 (a line of CJK characters, its newline gone) and ``--grep`` found
    nothing; ``zstd -dc`` gave the bytes."""
    data = b"\xff\xfehello world\n" + b"y" * 5000 + b"\n"
    _archive(tmp_path / "a.zst", data)
    whole, grepped = _cli(str(tmp_path / "a.zst")), _cli("--grep", "hello", str(tmp_path / "a.zst"))
    assert whole.returncode == grepped.returncode == 0
    assert whole.stdout == data
    assert grepped.stdout == b"\xff\xfehello world\n"


def test_a_run_archive_of_ff_fe_then_latin1_is_printed_as_stored_and_masked(
    tmp_path: Path,
) -> None:
    """A step's output of FF FE, then Latin-1 (no UTF-8, no UTF-16 line end): ``cat`` of its
    archive gives the bytes the step wrote, ``--grep`` finds its error line and ``--mask``
    masks a secret in it (read as UTF-16, the three were lost in CJK text)."""
    data = b"\xff\xfeBuild log \xe9t\xe9\npassword is hunter2secretX ok\nERROR failed\n"
    (tmp_path / "out.bin").write_bytes(data)
    run = subprocess.run(
        [sys.executable, "-m", "logtrim", "run", "--ci", "plain", "--artifact",
         str(tmp_path / "a.zst"), "--", "cat", str(tmp_path / "out.bin")],
        capture_output=True, env=clean_env(), timeout=60, check=False,
    )  # fmt: skip
    assert run.returncode == 0
    archive = str(tmp_path / "a.zst")
    whole, grepped = _cli(archive), _cli("--grep", "ERROR", archive)
    masked = _cli("--mask", "hunter2secretX", archive)
    assert whole.returncode == grepped.returncode == masked.returncode == 0
    assert whole.stdout == data
    assert grepped.stdout == b"ERROR failed\n"
    assert b"hunter2secretX" not in masked.stdout and b"password is ******** ok" in masked.stdout


def test_a_large_utf16_log_is_masked_before_its_declaration(tmp_path: Path) -> None:
    """A plain file's declarations are read from all of it first (docs/masking.md), its
    first line masked too: a UTF-16 log learned them only as they came, so a secret in its
    first line, declared 2 MB later, was printed; the same log in UTF-8 was masked."""
    text = (
        "Connecting with token s3cr3tT0kenValue99\n"
        + "".join(f"filler line {i}\n" for i in range(100_000))
        + "::add-mask::s3cr3tT0kenValue99\n"
    )
    for codec in ("utf-8", "utf-16"):
        log = tmp_path / f"{codec}.log"
        log.write_text(text, encoding=codec)
        proc = _cli(str(log))
        assert proc.returncode == 0
        assert proc.stdout.startswith(b"Connecting with token ********\n"), codec
        assert b"s3cr3t" not in proc.stdout


def test_a_utf16_log_of_other_scripts_than_latin_is_decoded(tmp_path: Path) -> None:
    """A UTF-16 log whose first line holds no ASCII (no NUL in its first bytes) is still
    UTF-16: its newline has one."""
    log = tmp_path / "cjk.log"
    log.write_bytes(b"\xff\xfe" + ("中大" * 200 + "\nok\n").encode("utf-16-le"))
    proc = _cli(str(log))
    assert proc.returncode == 0
    assert proc.stdout == ("中大" * 200 + "\nok\n").encode("utf-8")


def test_a_cut_gzip_log_says_how_much_it_decoded(tmp_path: Path) -> None:
    """A ``.gz`` cut short whose text is under a chunk said ``0 bytes decoded`` while it
    printed tens of kilobytes: the count is what was printed."""
    import re

    text = "".join(f"INFO line {i}\n" for i in range(1, 100_001)).encode()
    cut = tmp_path / "cut.log.gz"
    cut.write_bytes(gzip.compress(text)[:10_000])
    proc = subprocess.run(
        [sys.executable, "-m", "logtrim", "cat", str(cut)],
        capture_output=True, env=clean_env(), timeout=60, check=False,
    )  # fmt: skip
    found = re.search(rb"truncated at the end \(([\d,]+) bytes decoded\)", proc.stderr)
    assert found, proc.stderr
    assert int(found.group(1).replace(b",", b"")) == len(proc.stdout) > 10_000
    assert text.startswith(proc.stdout.rstrip(b"\n").rsplit(b"\n", 1)[0])


def test_a_frame_with_a_window_past_the_limit_is_said_so_not_called_damaged(
    tmp_path: Path,
) -> None:
    """A frame written with ``zstd --long=28`` (a 256 MiB window) is refused, as zstd refuses
    it without ``--long``, and the error says why: it was "not zstd", which reads as damaged."""
    import zstandard

    params = zstandard.ZstdCompressionParameters.from_level(3, window_log=28, enable_ldm=True)
    packer = zstandard.ZstdCompressor(compression_params=params).compressobj()
    (tmp_path / "w.zst").write_bytes(packer.compress(b"deploy step ok\n" * 100) + packer.flush())
    result = _cli(str(tmp_path / "w.zst"))
    assert result.returncode == 3
    assert b"not zstd" not in result.stderr
    assert b"window is larger than logtrim decodes" in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_an_input_that_cannot_be_read_does_not_stop_the_next_ones(tmp_path: Path) -> None:
    """``cat a.log bad.zst c.log``: the error for bad.zst, then c.log still printed, exit 3
    (as ``zstd -dcf`` and ``cat`` do; ``trim`` and ``stats`` went on too)."""
    (tmp_path / "a.log").write_bytes(b"line from a.log\n")
    (tmp_path / "c.log").write_bytes(b"line from c.log\n")
    (tmp_path / "bad.zst").write_bytes(b"\x28\xb5\x2f\xfd\x00\x00junk")
    proc = _cli(*(str(tmp_path / n) for n in ("a.log", "bad.zst", "c.log")))
    assert proc.returncode == 3
    assert proc.stdout == b"line from a.log\nline from c.log\n"
    assert proc.stderr.count(b"bad.zst") == 2 and b"Traceback" not in proc.stderr


@pytest.mark.parametrize("size", [2, 3])
def test_an_archive_cut_inside_its_magic_is_an_error_not_text(tmp_path: Path, size: int) -> None:
    """An archive cut to its first 2 or 3 bytes was printed as text, raw bytes of zstd's
    magic, with exit 0; cut to 5 it is an error (exit 3). So it is now."""
    whole = tmp_path / "whole.zst"
    _archive(whole, b"deploy step 1\n" * 100)
    cut = tmp_path / "cut.zst"
    cut.write_bytes(whole.read_bytes()[:size])
    proc = _cli(str(cut))
    assert proc.returncode == 3
    assert proc.stdout == b""
    assert b"truncated" in proc.stderr


def test_a_closed_stdin_among_several_inputs_is_said_in_its_turn(tmp_path: Path) -> None:
    """``cat a.log - b.log <&-``: stdin is said unreadable where it comes, the others print."""
    a, b = tmp_path / "a.log", tmp_path / "b.log"
    a.write_bytes(b"first log\n")
    b.write_bytes(b"second log\n")
    r = subprocess.run(
        [sys.executable, "-m", "logtrim", "cat", str(a), "-", str(b)],
        stdin=subprocess.DEVNULL, capture_output=True, env=clean_env(), timeout=60, check=False,
        preexec_fn=lambda: os.close(0),
    )  # fmt: skip
    assert r.returncode == 3
    assert r.stdout == b"first log\nsecond log\n"
    errors = r.stderr.decode().splitlines()
    assert errors == [
        "logtrim: error: <stdin>: cannot read: stdin is closed",
        "logtrim: error: <stdin>: not read whole (the other inputs are printed)",
    ]


def test_the_closing_line_is_masked_with_what_later_inputs_declared(tmp_path: Path) -> None:
    """The closing ``not read whole`` line comes after every input: a secret stdin declared
    after the missing input was said is masked in it."""
    r = subprocess.run(
        [sys.executable, "-m", "logtrim", "cat", str(tmp_path / "CatSecret9911.missing"), "-"],
        input=b"::add-mask::CatSecret9911\nhello\n", capture_output=True, env=clean_env(),
        timeout=60, check=False,
    )  # fmt: skip
    assert r.returncode == 3
    assert r.stdout == b"::add-mask::********\nhello\n"
    last = r.stderr.decode().splitlines()[-1]
    assert last.endswith("********.missing: not read whole (the other inputs are printed)")
