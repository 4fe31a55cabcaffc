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


# A Node service that crashes under ``docker compose up``: Node quotes the line that threw,
# a caret under it, above the error itself.
COMPOSE_NODE = """db-1   | 2026-12-06 10:00:00.000 UTC [1] LOG:  database system is ready
api-1  | > node dist/server.js
api-1  | /app/dist/db.js:12
api-1  |     throw new Error(`migration 0042 failed: relation "orders_v2" does not exist`);
api-1  |     ^
api-1  |
api-1  | Error: migration 0042 failed: relation "orders_v2" does not exist
api-1  |     at migrate (/app/dist/db.js:12:11)
api-1  |     at async main (/app/dist/server.js:8:3)
api-1  |
api-1  | Node.js v20.11.0
api-1 exited with code 1
"""


def test_the_source_node_quotes_under_a_prefix_is_no_reason(
    tmp_path: Path, run_logtrim: RunLogtrim
) -> None:
    """The caret under the quoted line is read through the prefix too: that line is source,
    not the error it throws (it was named, in the summary and the CI's annotation)."""
    health = "".join(f"web-1  | 10.0.0.{i} - - GET /health 200\n" for i in range(100))
    result = run_logtrim("--ci", "plain", "--budget", "4kB", "--",
                         *_child(tmp_path, health + COMPOSE_NODE))  # fmt: skip
    assert result.code == 1
    assert _failed(result.console) == (
        b'[logtrim] failed (exit 1): api-1  | Error: migration 0042 failed: relation "orders_v2"'
        b" does not exist"
    )
