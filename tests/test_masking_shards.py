"""Many secrets: the masker's forms are compiled in shards of a bounded size; every form of
every secret is still masked, the same as in one piece, with either matcher."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import clean_env, examples, py, zstd_dc
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from logtrim._matchers import compiler
from logtrim.engine.masking import forms, shards
from logtrim.engine.masking.mask import Masker

SECRETS = st.lists(
    st.text(alphabet="abcdefgh0123", min_size=4, max_size=12), min_size=1, max_size=40
)


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SECRETS, st.lists(st.integers(min_value=0, max_value=39), max_size=30),
       st.binary(max_size=60), st.booleans())  # fmt: skip
def test_shards_mask_as_one_piece(
    secrets: list[str], picks: list[int], noise: bytes, hyperscan: bool
) -> None:
    """Secrets learned one after another into shards of three forms mask a text holding
    them (and their base64) exactly as one matcher of them all does: none shows."""
    data = noise.join(secrets[i % len(secrets)].encode() for i in picks) + noise
    build = compiler() if hyperscan else None
    whole = Masker(secrets, compiler=build)
    expected = whole.mask(data)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(shards, "SHARD", 3)
        sharded = Masker(compiler=build)
        for secret in secrets:
            sharded.add(secret)
            sharded.mask(b"a read between two declarations")
        assert sharded.mask(data) == expected
    for secret in secrets:
        assert secret.encode() not in expected.replace(b"********", b"\0")


#: 5,000 secrets declared in the output (GitHub's add-mask), each used on the next line.
MANY = """
import sys
for i in range(5000):
    sys.stdout.write('::add-mask::Sec%08dxyzzy\\nusing Sec%08dxyzzy now\\n' % (i, i))
"""
#: Run logtrim as a child: the peak memory of it and its children, in kB.
PEAK = """
import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


@pytest.mark.slow
def test_secrets_learned_by_the_thousand_keep_memory_small(tmp_path: Path) -> None:
    """A run that learns 5,000 secrets from its output stays far below what compiling them
    all at each read took (over 100 MB), and masks every use of them."""
    argv = [sys.executable, "-m", "logtrim", "run", "--ci", "github", "--budget", "100kB",
            "--artifact", str(tmp_path / "a.zst"), "--", *py(MANY)]  # fmt: skip
    quiet = subprocess.run(argv, env=clean_env(), cwd=tmp_path, capture_output=True, check=True)
    assert b"using Sec" not in quiet.stdout.replace(b"using ******** now", b"")
    peak = subprocess.run([*py(PEAK), *argv], env=clean_env(), cwd=tmp_path,
                          capture_output=True, check=True, timeout=300)  # fmt: skip
    assert int(peak.stdout) < 80_000, peak.stdout  # kB


#: Long secrets, periodic ones too, on one line (no line forms: a line alone is a form).
LONG = st.builds(
    lambda unit, times, tail: (unit * times + tail).replace(b"\n", b"n").replace(b"\r", b"r"),
    st.binary(min_size=1, max_size=40),
    st.integers(min_value=1, max_value=400),
    st.binary(max_size=3000),
).filter(lambda s: len(s) > forms.LONG_FORM)
#: Text around them that no form of theirs can match: not base64, shorter than a piece.
AROUND = st.text(alphabet=" .-", max_size=50).map(str.encode)


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(LONG, AROUND, AROUND, st.booleans())
def test_a_long_secret_masks_as_one_span(
    secret: bytes, before: bytes, after: bytes, hyperscan: bool
) -> None:
    """A secret longer than one form (a declared value can be a whole line) masks wherever
    it occurs as one ``********``, with either matcher, as a short one does. (Text around
    it made of the secret's own bytes may continue a repetitive secret: a piece of the
    secret found there is masked with it, by design; docs/masking.md.)"""
    assume(not set(before + after) & set(secret))
    value = secret.decode("latin-1")
    assume(value.strip())  # (blanks only are no secret: refused as a --mask, never learned)
    masker = Masker([value], compiler=compiler() if hyperscan else None)
    raw = value.encode()  # as the masker encodes it
    out = masker.mask(before + b"\n" + raw + b"\n" + raw + after + b"\n")
    # A ``]`` that begins a secret is kept: it may end a CI's command (mask.apply).
    mask = b"]********" if raw.startswith(b"]") else b"********"
    assert out == before + b"\n" + mask + b"\n" + mask + after + b"\n"
    assert masker.max_len <= forms.LONG_FORM


#: A value of 300 kB declared with add-mask, then printed on both streams.
LONG_DECLARED = """
import sys
value = ''.join('%08x' % (i * 2654435761 % 2**32) for i in range(37500))
print('::add-mask::' + value, flush=True)
print('deploying with ' + value + ' now', flush=True)
sys.stderr.write(value + '\\n')
sys.stderr.flush()
print('::add-mask::' * 40000, flush=True)  # each declares the rest of the line
print('::add-mask::' * 40000, flush=True)
"""


def test_a_declared_value_of_300_kb_is_refused_without_breaking_the_engine(
    tmp_path: Path,
) -> None:
    """A declared secret over the bound (64 KiB; and a line that declares one at every
    ``::``) is refused with a warning, masked in its own declaration in the archive, and the
    engine goes on filtering (before, it failed open: "internal error")."""
    art = tmp_path / "a.zst"
    argv = [sys.executable, "-m", "logtrim", "run", "--ci", "github", "--budget", "1MB",
            "--artifact", str(art), "--", *py(LONG_DECLARED)]  # fmt: skip
    out = subprocess.run(argv, env=clean_env(), cwd=tmp_path, capture_output=True, timeout=120)
    assert out.returncode == 0
    assert b"internal error" not in out.stderr, out.stderr[-2000:]
    assert b"not masking a declared value over 65536 bytes" in out.stderr
    value = "".join("%08x" % (i * 2654435761 % 2**32) for i in range(37500)).encode()
    archive = zstd_dc(art)
    assert b"::add-mask::********\n" in archive and b"::add-mask::" + value not in archive
    # Not learned (as the warning says): printed elsewhere, it stays; the CI reads the
    # declaration as written.
    assert b"deploying with " + value + b" now\n" in archive
    assert b"::add-mask::" + value + b"\n" in out.stdout
    assert archive.count(b"::add-mask::") < 100
