"""With a baseline, the new line in the block of an error the budget held back reaches the
failure tail, though later errors push that error out of what is held for the end."""

from __future__ import annotations

from pathlib import Path

from conftest import RunLogtrim, py


def _block(node: int, frame: str) -> str:
    return (
        f"ERROR [pool] Launch failed for node {node}:\n"
        "Traceback (most recent call last):\n"
        f"{frame}\n"
        "    self._launch()\n"
        "Exception: Expected createServer exception\n"
    )


OLD_FRAME = '  File "pool/handler.py", line 209, in _run'
NEW_FRAME = '  File "pool/builder.py", line 855, in _uploadImage'


def test_a_new_frame_of_an_error_pushed_out_of_the_held_errors_is_shown(
    run_logtrim: RunLogtrim, tmp_path: Path
) -> None:
    good = tmp_path / "good.log"
    good.write_text("".join(_block(n, OLD_FRAME) for n in range(5)))
    bad = tmp_path / "bad.log"
    bad.write_text(
        "".join(_block(n, OLD_FRAME) for n in range(40))
        + _block(99, NEW_FRAME)
        + "".join(_block(n, OLD_FRAME) for n in range(100, 160))
    )
    code = f"import sys; sys.stdout.write(open({str(bad)!r}).read()); sys.exit(1)"
    with_base = run_logtrim("--budget", "2048", "--baseline", str(good), "--", *py(code))
    assert with_base.code == 1
    assert len(with_base.console) <= 2048
    assert NEW_FRAME.encode() in with_base.console
    assert bad.read_bytes() in with_base.archive
