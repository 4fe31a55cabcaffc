"""Lines a carrier prefixes (a Compose service's ``api-1  | ``, the gutter of Terraform's
boxed diagnostics ``│ ``) are read as the program wrote them for the failure reason: their
words ranked without the prefix, the reason named with it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import RunLogtrim

# ``docker compose up`` of a service that warns, then fails to start.
COMPOSE = """api-1  | > shop-api@4.12.0 start
api-1  | Warning: unable to read .env.production, using defaults
api-1  | Error: listen EADDRINUSE: address already in use :::8080
api-1 exited with code 1
"""
# ``terraform plan`` on an agent without a CLI configuration file: a warning box, then the
# error's (coloured, as terraform writes them to a terminal or with TF_FORCE_COLOR).
GUTTER = "\x1b[31m\u2502\x1b[0m \x1b[0m"
TERRAFORM_PLAIN = """There are some problems with the CLI configuration:
\u2577
\u2502 Warning: Unable to open CLI configuration file
\u2502
\u2502 The CLI configuration file at "/root/.terraformrc" does not exist.
\u2575

\u2577
\u2502 Error: Reference to undeclared input variable
\u2502
\u2502   on main.tf line 2, in resource "terraform_data" "web":
\u2502    2:   input = var.image_tag
\u2575
"""
TERRAFORM_COLOUR = TERRAFORM_PLAIN.replace("\u2502 ", GUTTER).replace(
    "Error: ", "\x1b[1m\x1b[31mError: \x1b[0m\x1b[0m\x1b[1m"
)


def _child(tmp_path: Path, text: str, code: int = 1) -> list[str]:
    out = tmp_path / "child.txt"
    out.write_bytes(text.encode())
    script = f"import sys\nsys.stderr.write(open({str(out)!r}).read())\nsys.exit({code})\n"
    return [sys.executable, "-c", script]


def _failed(console: bytes) -> bytes:
    return next(ln for ln in console.splitlines() if ln.startswith(b"[logtrim] failed"))


def test_a_compose_services_warning_is_no_reason(tmp_path: Path, run_logtrim: RunLogtrim) -> None:
    result = run_logtrim("--ci", "plain", "--", *_child(tmp_path, COMPOSE))
    assert result.code == 1
    assert _failed(result.console) == (
        b"[logtrim] failed (exit 1): api-1  | Error: listen EADDRINUSE: address already in use"
        b" :::8080"
    )


@pytest.mark.parametrize("text", [TERRAFORM_PLAIN, TERRAFORM_COLOUR], ids=["plain", "colour"])
def test_a_terraform_warning_box_is_no_reason(
    tmp_path: Path, run_logtrim: RunLogtrim, text: str
) -> None:
    result = run_logtrim("--ci", "plain", "--", *_child(tmp_path, text))
    assert result.code == 1
    assert _failed(result.console) == (
        b"[logtrim] failed (exit 1): Error: Reference to undeclared input variable"
    )
