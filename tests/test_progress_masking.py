"""A progress state waits for its turn (the throttle); shown late, it is masked with the
secrets known then, also one declared after the state was written."""

from __future__ import annotations

import base64

from test_engine import drive

from logtrim.engine.core import STDOUT, Core
from logtrim.engine.policy import Policy

SECRET = "Pr0gress-S3cret-Value-42"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def declare(value: str) -> bytes:
    return (
        f"##octopus[setVariable name='{b64('Token')}' value='{b64(value)}' "
        f"sensitive='{b64('True')}']\n"
    ).encode()


def test_a_waiting_progress_state_is_masked_with_a_secret_declared_after_it() -> None:
    core = Core(Policy(head=0, verbatim=0))
    states = b"".join(f"upload {SECRET} {p}%\n".encode() for p in range(10, 60, 10))
    steps = [
        (STDOUT, b"upload 0%\n", 0.0),
        (STDOUT, states, 1.0),  # within the interval: the last one waits
        (STDOUT, declare(SECRET) + b"Deployed release 1.2.3\n", 2.0),
    ]
    _, console = drive(core, steps, exit_code=0)
    assert b"upload ******** 50%" in console[STDOUT]  # printed late, before the next line
    assert SECRET.encode() not in console[STDOUT]


def test_a_waiting_progress_state_holding_no_secret_shows_as_written() -> None:
    core = Core(Policy(head=0, verbatim=0))
    states = b"".join(f"upload part {p}%\n".encode() for p in range(10, 60, 10))
    steps = [
        (STDOUT, b"upload 0%\n", 0.0),
        (STDOUT, states, 1.0),
        (STDOUT, declare(SECRET) + b"Deployed release 1.2.3\n", 2.0),
    ]
    _, console = drive(core, steps, exit_code=0)
    assert b"upload part 50%\n" in console[STDOUT]
