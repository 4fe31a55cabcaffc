"""Opening inputs of trim, stats and cat: plain, gzip, zstd, stdin, damaged and missing."""

from __future__ import annotations

import gzip
import io
import itertools
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logtrim._errors import InputError
from logtrim.archive.zstd import ArchiveEncoder
from logtrim.logs.inputs import Input, open_input
from logtrim.logs.linechunks import line_chunks, lines
from logtrim.logs.utf16 import utf16_as_utf8

DATA = b"".join(b"line %d of the deploy log\n" % i for i in range(20_000))


def _zstd(data: bytes) -> bytes:
    encoder = ArchiveEncoder(level=3, frame_bytes=100_000)
    return encoder.feed(data, 0.0) + encoder.finish()


def _read(inp: Input) -> bytes:
    return b"".join(inp.chunks())


@pytest.mark.parametrize("name", ["log.txt", "log.gz", "log.zst", "log.bin"])
def test_formats_are_detected_by_content_not_name(tmp_path: Path, name: str) -> None:
    """A gzip or zstd file decodes whatever it is called; a plain file is read as is."""
    for content, fmt in ((DATA, "plain"), (gzip.compress(DATA), "gzip"), (_zstd(DATA), "zstd")):
        path = tmp_path / name
        path.write_bytes(content)
        inp = open_input(str(path))
        assert inp.format == fmt
        assert _read(inp) == DATA
        assert inp.damage is None
        assert inp.consumed == len(content)


def test_concatenated_gzip_members_are_all_read(tmp_path: Path) -> None:
    """``cat a.gz b.gz > c.gz`` reads as both logs, like zcat."""
    path = tmp_path / "c.gz"
    path.write_bytes(gzip.compress(b"first\n") + gzip.compress(b"second\n"))
    assert _read(open_input(str(path))) == b"first\nsecond\n"


@pytest.mark.parametrize("kind", ["gzip", "zstd"])
def test_truncated_compressed_input_decodes_what_it_can(tmp_path: Path, kind: str) -> None:
    """A cut-off archive yields its decodable start and says it was truncated."""
    packed = gzip.compress(DATA) if kind == "gzip" else _zstd(DATA)
    path = tmp_path / "cut"
    path.write_bytes(packed[: len(packed) // 2])
    inp = open_input(str(path))
    out = _read(inp)
    assert out and DATA.startswith(out)
    assert inp.damage is not None and inp.damage.startswith("truncated at the end")


def test_stdin_is_read_with_dash(monkeypatch: pytest.MonkeyPatch) -> None:
    """``-`` reads standard input, compressed or not."""
    stream = io.TextIOWrapper(io.BytesIO(gzip.compress(DATA)))
    monkeypatch.setattr(sys, "stdin", stream)
    inp = open_input("-")
    assert inp.name == "<stdin>"
    assert _read(inp) == DATA


def test_missing_file_is_a_one_line_input_error(tmp_path: Path) -> None:
    """A missing file or a directory gives a one-line InputError naming the path."""
    with pytest.raises(InputError, match=r"nope\.log: no such file") as info:
        open_input(str(tmp_path / "nope.log"))
    assert "\n" not in str(info.value)
    with pytest.raises(InputError, match="is a directory"):
        open_input(str(tmp_path))


@given(st.lists(st.integers(0, 200), max_size=8), st.binary(max_size=300))
def test_line_chunks_do_not_depend_on_chunking(cuts: list[int], data: bytes) -> None:
    """However the bytes arrive, the same lines come out and every chunk ends a line."""
    points = sorted({min(c, len(data)) for c in cuts})
    pieces = [data[a:b] for a, b in zip([0, *points], [*points, len(data)], strict=True)]
    chunks = list(line_chunks(pieces))
    assert b"".join(chunks) == data
    assert all(c.endswith(b"\n") for c in chunks[:-1])
    *whole, last = data.split(b"\n")
    assert list(lines(pieces)) == [w + b"\n" for w in whole] + ([last] if last else [])


@given(
    st.lists(st.integers(0, 400), max_size=12),
    st.lists(st.sampled_from([b"a", b"bb", b"\n", b"ccccccc", b"dd\n"]), max_size=120),
    st.integers(1, 40),
    st.integers(0, 60),
)
def test_line_chunks_are_cut_where_the_bytes_say(
    cuts: list[int], words: list[bytes], grid: int, skip: int
) -> None:
    """The chunks themselves (not only their lines) are the same however the input was read:
    each ends at the last newline before a multiple of ``grid`` (inside a longer line, at
    the multiple or a little before it), counted from the input's start also when reading
    resumes after a chunk."""
    data = b"".join(words)
    points = sorted({min(c, len(data)) for c in cuts})
    pieces = [data[a:b] for a, b in zip([0, *points], [*points, len(data)], strict=True)]
    whole = list(line_chunks([data], grid=grid))
    assert list(line_chunks(pieces, grid=grid)) == whole
    assert b"".join(whole) == data
    ends = [sum(map(len, whole[: i + 1])) for i in range(len(whole))]
    for chunk, end in zip(whole[:-1], ends, strict=False):
        # a piece of a longer line ends at the multiple, or where a URL could begin before it
        multiple = -(-end // grid) * grid
        assert chunk.endswith(b"\n") or b"\n" not in data[end - len(chunk) : multiple]
        # no newline was skipped: the next chunk reaches the next multiple of the grid
        assert chunk and end <= (end // grid + 1) * grid
    # Resuming after any chunk gives the rest of the chunks.
    if whole:
        k = skip % len(whole)
        start = ends[k - 1] if k else 0
        assert list(line_chunks([data[start:]], start, grid=grid)) == whole[k:]


def test_a_file_cut_while_read_is_reported(tmp_path: Path) -> None:
    """A log rotated (truncated) while it is read: what was read is used, and the damage says
    how much of the size it had at the start was read."""
    path = tmp_path / "deploy.log"
    path.write_bytes(DATA * 10)  # several chunks
    inp = open_input(str(path))
    chunks = inp.chunks()
    first = next(chunks)
    with open(path, "r+b") as file:
        file.truncate(len(first) + 1000)
    rest = b"".join(chunks)
    assert first + rest == (DATA * 10)[: len(first) + 1000]
    assert inp.damage == (
        f"the file shrank while it was read: {len(first) + 1000:,} of {len(DATA) * 10:,} bytes"
    )
    whole = open_input(str(path))
    assert _read(whole) == (DATA * 10)[: len(first) + 1000] and whole.damage is None


# Text: no surrogates, no control characters but those a log may hold.
_UTF16_TEXT = st.text(
    st.characters(
        exclude_categories=["Cs", "Cc"], max_codepoint=0x1F600,
        include_characters="\t\r\x1b\x07\x08\x0c",
    ),
    max_size=200,
)  # fmt: skip


@given(text=_UTF16_TEXT, big=st.booleans(), cuts=st.lists(st.integers(0, 500), max_size=8))
def test_a_utf16_log_reads_as_its_utf8_whatever_the_chunks(
    text: str, big: bool, cuts: list[int]
) -> None:
    """A log in UTF-16 with its byte-order mark (PowerShell's ``>``) reads as its text in
    UTF-8, however its bytes come; it was refused as binary (a NUL in every other byte).
    Its lines end in a newline, whose NUL says UTF-16 whatever the text before it (the mark
    then bytes that read as UTF-8 text, and no NUL, are no UTF-16: test_cat.py)."""
    text += "\n"
    data = text.encode("utf-16-be" if big else "utf-16-le")
    data = (b"\xfe\xff" if big else b"\xff\xfe") + data
    bounds = sorted({min(c, len(data)) for c in cuts} | {0, len(data)})
    pieces = iter([data[a:b] for a, b in itertools.pairwise(bounds) if b > a])
    assert b"".join(utf16_as_utf8(pieces)) == text.encode("utf-8")


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xfeBuild log \xe9t\xe9\npassword hunter2 ok\nERROR failed\n",  # Latin-1
        b"\xff\xfe\xff\xfeERROR failed\n",  # no UTF-16 line end
        b"\xff\xfeline one\n\x00" + b"line two\n" * 3000 + b"ERROR failed\n",  # a stray NUL
        b"\xff\xfe\x00\xd8\x00\xd8ERROR\n",  # unpaired surrogates
    ],
)
def test_bytes_after_the_mark_that_are_no_utf16_text_read_as_stored(data: bytes) -> None:
    """The mark FF FE, then bytes that are no UTF-16 text (Latin-1, binary, no NUL of a UTF-16
    line end): the bytes as they are. Read as UTF-16 they became CJK text: ``cat`` of a run's
    archive changed its bytes and an error line or a secret was no longer found."""
    assert b"".join(utf16_as_utf8(iter([data]))) == data


@pytest.mark.parametrize(
    "text",
    [
        "bell \a rang\nform feed \f here\n",
        "ਪੰਜਾਬੀ ਲੌਗ\nਗਲਤੀ\n",
        "上传《包》上传上传上传\n" * 50,
        "Сборка начата\n",
    ],
)
def test_a_utf16_log_with_control_characters_or_gurmukhi_is_utf16(text: str) -> None:
    """A UTF-16 log is its text though it holds a BEL or a form feed, or is written in a
    script whose characters hold ``0A`` bytes (Gurmukhi, U+0A00-U+0A7F; 上 and 《 in Chinese),
    or starts with no ASCII at all (Russian)."""
    data = b"\xff\xfe" + text.encode("utf-16-le")
    assert b"".join(utf16_as_utf8(iter([data]))) == text.encode("utf-8")


def test_trim_and_stats_read_a_utf16_log(tmp_path: Path) -> None:
    lines = ["INFO starting deploy", *(f"DEBUG copy file {i}" for i in range(2000))]
    lines += ["ERROR disk full on /var/www", "INFO done"]
    path = tmp_path / "deploy.log"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-16")
    chunks = b"".join(open_input(str(path)).chunks())
    assert chunks.decode("utf-8").splitlines() == lines
    assert b"\0" not in chunks
