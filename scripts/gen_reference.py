"""Write docs/reference.md from the CLI itself, so the reference and the CLI cannot drift.

python scripts/gen_reference.py          # rewrite docs/reference.md
python scripts/gen_reference.py --check  # exit 1 when docs/reference.md is stale
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer.main

from logtrim.cli.app import app
from logtrim.engine.match.kinds import Kind
from logtrim.engine.match.roles import Role, Rule

REFERENCE = Path(__file__).resolve().parent.parent / "docs" / "reference.md"

INTRO = """# Command reference

Generated from the command line itself by `python scripts/gen_reference.py`; a test fails
when this page and `logtrim --help` disagree. Sizes accept bytes, `kB`/`MB`/`GB` (decimal)
and `KiB`/`MiB`/`GiB` (binary). Options marked repeatable may be given several times.
Every option of `run` except `--artifact`, `--name`, `--mask`, `--pty`, `--force`,
`--config` and `--verbose` can also come from a config file or a `LOGTRIM_*` variable: see
[configuration](config.md). Exit codes: [exit codes](exit-codes.md).
"""


def _param(param: Any, ctx: Any) -> str:
    # typer ships its own copy of click: duck typing keeps this script independent of it.
    if param.param_type_name == "argument":
        name = (param.metavar or param.name).upper().rstrip(".")
        more = " ..." if param.nargs == -1 else ""
        return f"- `{name}{more}`: {(getattr(param, 'help', None) or '').strip()}"
    flags = ", ".join(f"`{o}`" for o in [*param.opts, *param.secondary_opts])
    meta = "" if param.is_flag else f" {param.metavar or param.name.upper()}"
    # The help as ``--help`` prints it: its default too.
    record = param.get_help_record(ctx)
    text = " ".join((record[1] if record else param.help or "").split())
    repeat = " Repeatable." if param.multiple and "repeatable" not in text.lower() else ""
    return f"- {flags}{meta}: {text}{repeat}"


def _rules() -> str:
    """The built-in rules, one example line each (a test checks each example's tier)."""
    from logtrim.engine.match.rules import RULES

    rows = [
        "## Built-in rules\n",
        "Every rule is one line-local regular expression, matched case-insensitively, ignoring",
        "ANSI colour codes before a word. A line takes the highest tier any rule gives it; the",
        "`zero-count` rule keeps `0 errors` and `failed: 0` from counting as errors, unless the",
        "line also counts some above zero (the `-count` rules: `1 failed, 0 errors`).",
        "How the tiers are used: [how lines are chosen](policy.md).\n",
        "| rule | tier | example line |",
        "|---|---|---|",
    ]
    for rule in RULES:
        tier = _effect(rule)
        rows.append(f"| `{rule.name}` | {tier} | `{rule.example}` |")
    return "\n".join(rows) + "\n"


def _effect(rule: Rule) -> str:
    """A rule's tier, or what it does to the weak words of its line."""
    words = "warning" if rule.kind == Kind.WARNING else "error"
    if rule.role is Role.ZERO:
        return f"(demotes weak {words} words)"
    if rule.role is Role.COUNT:
        return f"{words}, even with a zero count on its line"
    return rule.kind.name.lower()


def render() -> str:
    group: Any = typer.main.get_command(app)
    parts = [INTRO]
    ctx = group.context_class(group, info_name="logtrim")
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        sub = command.context_class(command, info_name=name, parent=ctx)
        args = [p for p in command.params if p.param_type_name == "argument"]
        usage = " ".join(
            ["[OPTIONS]"]
            + [(p.metavar or p.name).upper().rstrip(".") + ("..." if p.nargs == -1 else "")
               for p in args]
        )  # fmt: skip
        parts.append(f"## `logtrim {name}`\n")
        parts.append(f"```text\nlogtrim {name} {usage}\n```\n")
        parts.append((command.help or "").strip() + "\n")
        lines = [_param(p, sub) for p in command.params if p.name != "help"]
        parts.append("\n".join(lines) + "\n")
    parts.append(_rules())
    parts.append(
        "## Global options\n\n- `--version`: print the version.\n- `--help`: help for "
        "logtrim or any command.\n"
    )
    return "\n".join(parts)


def main() -> int:
    text = render()
    if "--check" in sys.argv:
        if REFERENCE.read_text(encoding="utf-8") != text:
            sys.stderr.write(f"{REFERENCE} is stale: run python scripts/gen_reference.py\n")
            return 1
        return 0
    REFERENCE.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
