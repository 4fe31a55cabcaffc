"""Many secrets: the masker's forms are compiled in shards of a bounded size; every form of
every secret is still masked, the same as in one piece, with either matcher."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import clean_env, py
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logtrim._matchers import compiler
from logtrim.engine import shards
from logtrim.engine.mask import Masker

SECRETS = st.lists(
    st.text(alphabet="abcdefgh0123", min_size=4, max_size=12), min_size=1, max_size=40
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
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
