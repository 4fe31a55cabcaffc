"""The engine's fail-open form (``Secrets.passthrough_forms`` with ``learn``): whatever the
chunks, a secret declared in the stream is masked from its declaration's end on, in the
archive and the console, and the declaration reaches the console whole."""

from __future__ import annotations

from conftest import examples, split
from hypothesis import example, given, settings
from hypothesis import strategies as st

from logtrim.dialects import choose
from logtrim.engine.core import STDOUT, Core
from logtrim.engine.policy import Policy

SECRET = b"Fail0pen-Learned-Value"
DECLARATION = b"::add-mask::" + SECRET + b"\n"


@settings(max_examples=examples(200), deadline=None)
# A read that ends inside a line: what the next one begins with is no line's start, so a
# "  ::add-mask::" there is no command, and the value after it is masked.
@example(before=[], after=[SECRET, b" ", b" ", b"::add-mask::", SECRET, b"\n"], cuts=[58])
@given(
    before=st.lists(
        st.sampled_from([b"noise ", b"::", b"##[", b"\n", b"x" * 70, b":"]), max_size=12
    ),
    after=st.lists(
        st.sampled_from([SECRET, b" ", b"\n", SECRET[:5], b"::add-mask::"]), max_size=12
    ),
    cuts=st.lists(st.integers(0, 400), max_size=12),
)
def test_a_declared_secret_is_masked_whatever_the_chunks(
    before: list[bytes], after: list[bytes], cuts: list[int]
) -> None:
    head = b"".join(before)
    stream = head + (b"" if head.endswith(b"\n") or not head else b"\n") + DECLARATION
    stream += b"".join(after) + b"\nend\n"
    core = Core(Policy(), choose("github", {}))
    archive, console = b"", b""
    for chunk in split(stream, cuts):
        a, c = core.secrets.failing.passthrough_forms(STDOUT, chunk, learn=True)
        archive, console = archive + a, console + c
    a, c = core.secrets.failing.passthrough_forms(STDOUT, b"", final=True, learn=True)
    archive, console = archive + a, console + c
    assert archive.count(b"\n") == stream.count(b"\n")  # every line, masked
    assert SECRET not in archive
    assert DECLARATION in console  # whole, for the CI server
    # The other lines: a declaration's value is the CI server's to read (a later one too).
    others = [
        line for line in console.split(b"\n") if not line.lstrip().startswith(b"::add-mask::")
    ]
    assert SECRET not in b"\n".join(others)
