"""Every value logtrim writes into a CI command survives that CI's own decoding, on one line."""

from __future__ import annotations

import fnmatch
import io
import re
from pathlib import Path

import pytest
from conftest import zstd_dc
from decoders import (
    Command,
    ant_matches,
    encode_azure_data,
    encode_github_data,
    parse_azure,
    parse_github,
    parse_gitlab_section,
    parse_teamcity,
)
from hypothesis import example, given
from hypothesis import strategies as st

from logtrim import LogtrimHandler
from logtrim.dialects import AppendFile, Closing, Print, RunProgram
from logtrim.dialects.azure import Azure
from logtrim.dialects.buildkite import Buildkite
from logtrim.dialects.escape import failure_text
from logtrim.dialects.github import GitHub
from logtrim.dialects.gitlab import GitLab
from logtrim.dialects.jenkins import Jenkins
from logtrim.dialects.servicemsg import calamari_value
from logtrim.dialects.teamcity import TeamCity

# Characters that are syntax or escapes in at least one dialect, mixed into any Unicode text.
NASTY = [*"%\r\n:,;=[]'|`*?{}\\#<>&\t\x1b\x00\x85\u2028\u2029", "%25", "%0A", "%AZP25", "|n"]
texts = st.lists(st.sampled_from(NASTY) | st.characters(), max_size=40).map("".join)
paths = texts.map(lambda text: "/tmp/" + text)


def closing(path: str | None, reason: str | None, name: str = "run.log.zst") -> Closing:
    return Closing(path, name, 7, 1 if reason is not None else 0, reason, env={})


def one_line(text: str) -> None:
    assert "\n" not in text and "\r" not in text, text


@given(path=paths, reason=texts, name=texts)
@example(path="/tmp/a%0Ab", reason="50%25 done", name="x,y:z")
def test_github_values_round_trip(path: str, reason: str, name: str) -> None:
    """GitHub shows the exact archive path and failure reason logtrim meant, on one line."""
    error, notice = GitHub().finish(closing(path, reason, name))
    assert isinstance(error, Print) and isinstance(notice, Print)
    one_line(error.text)
    one_line(notice.text)
    assert parse_github(error.text) == Command(
        "error", {"title": "logtrim: exit code 1"}, failure_text(reason, 1)
    )
    decoded = parse_github(notice.text)
    assert decoded.props == {"title": "logtrim"}
    assert decoded.data == (f"full log {name} at {path} (keep it with actions/upload-artifact)")


@given(title=texts)
def test_github_group_title_round_trips(title: str) -> None:
    """A GitHub group shows the title as given."""
    line = GitHub().group_start(title)
    assert line is not None
    one_line(line)
    assert parse_github(line) == Command("group", {}, title)


@given(value=texts)
def test_github_add_mask_reads_what_the_runner_reads(value: str) -> None:
    """logtrim masks exactly the value GitHub masks, however the child escaped it."""
    expected = [value] if value.strip() else []
    assert GitHub().declared_secrets("::add-mask::" + encode_github_data(value)) == expected


@given(path=paths, reason=texts, name=texts)
@example(path="/tmp/a%3Bb%5D", reason="100%AZP25", name="a;b]c")
def test_azure_values_round_trip(path: str, reason: str, name: str) -> None:
    """Azure uploads the exact archive under the exact name and logs the reason, on one line."""
    issue, upload = Azure().finish(closing(path, reason, name))
    assert isinstance(issue, Print) and isinstance(upload, Print)
    one_line(issue.text)
    one_line(upload.text)
    assert parse_azure(issue.text) == Command(
        "task.logissue", {"type": "error"}, failure_text(reason, 1)
    )
    assert parse_azure(upload.text) == Command(
        "artifact.upload", {"containerfolder": "logtrim", "artifactname": name}, path
    )


@given(value=texts)
def test_azure_setsecret_reads_what_the_agent_reads(value: str) -> None:
    """logtrim masks exactly the value Azure masks."""
    expected = [value] if value else []
    line = "##vso[task.setsecret]" + encode_azure_data(value)
    assert Azure().declared_secrets(line) == expected


@given(path=paths, reason=texts)
@example(path="/tmp/a,b=>c\nd", reason="it's [ok] |n")
def test_teamcity_values_round_trip(path: str, reason: str) -> None:
    """TeamCity shows the reason as written and publishes a rule that matches the archive."""
    message, publish = TeamCity().finish(closing(path, reason))
    assert isinstance(message, Print) and isinstance(publish, Print)
    one_line(message.text)
    one_line(publish.text)
    assert parse_teamcity(message.text) == Command(
        "message", {"text": failure_text(reason, 1), "status": "ERROR"}
    )
    rule = parse_teamcity(publish.text).data
    assert rule is not None
    # A comma or newline would split the rule list and "=>" would name a target directory.
    assert not re.search(r"[,\r\n]|=>", rule)
    assert ant_matches(rule, path)


@given(title=texts)
def test_teamcity_block_name_round_trips(title: str) -> None:
    """A TeamCity block opens and closes under the exact title."""
    opened, closed = TeamCity().group_start(title), TeamCity().group_end(title)
    assert opened is not None and closed is not None
    assert parse_teamcity(opened) == Command("blockOpened", {"name": title})
    assert parse_teamcity(closed) == Command("blockClosed", {"name": title})


@given(title=texts)
def test_gitlab_sections_are_well_formed(title: str) -> None:
    """A GitLab section opens and closes under one valid name, with a one-line header."""
    gitlab = GitLab()
    start = gitlab.group_start(title, timestamp=1_700_000_000.0)
    end = gitlab.group_end(title, timestamp=1_700_000_000.0)
    assert start is not None and end is not None
    kind, stamp, name, header = parse_gitlab_section(start)
    assert (kind, stamp) == ("start", 1_700_000_000)
    assert re.fullmatch(r"[a-z0-9_.-]+", name)
    assert parse_gitlab_section(end) == ("end", 1_700_000_000, name, "")
    assert "\x1b" not in header and "\r" not in header


@given(path=paths, title=texts)
def test_plain_lines_stay_single_lines(path: str, title: str) -> None:
    """Lines meant for humans never break the log, whatever the path or title holds."""
    lines = [
        *GitLab().finish(closing(path, "x")),
        *Jenkins().finish(closing(path, "x")),
        *(
            Print(a.missing)
            for a in Buildkite().finish(closing(path, "x"))
            if isinstance(a, RunProgram)
        ),
        Print(Azure().group_start(title) or ""),
        Print(Buildkite().group_start(title) or ""),
    ]
    for line in lines:
        assert isinstance(line, Print)
        one_line(line.text)
        assert "\x1b" not in line.text and "\u2028" not in line.text


@given(path=paths)
def test_buildkite_pattern_matches_only_by_wildcards(path: str) -> None:
    """buildkite-agent gets a pattern that matches the archive and holds no list or class syntax."""
    (upload,) = Buildkite().finish(closing(path, None))
    assert isinstance(upload, RunProgram)
    pattern = upload.argv[-1]
    assert not set(pattern) & set(";[]{}")
    assert fnmatch.fnmatchcase(path, pattern)


@given(summary=st.lists(texts, max_size=4), errors=st.lists(texts, max_size=6), path=paths)
@example(summary=["     indented", "<b>x</b>", "1. two"], errors=["````", "<!--"], path="/tmp/`a`")
def test_step_summary_markdown_cannot_break(
    summary: list[str], errors: list[str], path: str
) -> None:
    """Error lines and paths render as literal text in the GitHub step summary."""
    markdown_it = pytest.importorskip("markdown_it")
    env = {"GITHUB_STEP_SUMMARY": "/s.md"}
    done = Closing(path, "n", 1, 1, "r", summary, errors, env=env)
    (append,) = [a for a in GitHub().finish(done) if isinstance(a, AppendFile)]
    tokens = markdown_it.MarkdownIt("commonmark").parse(append.text)
    fences = [token for token in tokens if token.type == "fence"]
    if errors:
        (fence,) = fences
        assert fence.content.count("\n") == len(errors)
    else:
        assert fences == []
    # Each summary line stays one list item of plain text: no emphasis, link or HTML.
    kinds = {child.type for token in tokens for child in token.children or []}
    assert kinds <= {"text", "code_inline", "softbreak"}
    assert not [token for token in tokens if token.type in {"code_block", "html_block"}]
    items = [token for token in tokens if token.type == "list_item_open"]
    assert len(items) == len(summary)


@pytest.mark.parametrize("ci", ["azure", "github", "teamcity", "plain", "octopus"])
def test_an_octopus_value_inside_another_system_s_command_is_masked(
    tmp_path: Path, ci: str
) -> None:
    """``##[##octopus[setVariable ... value='  dTowM    DA \\tw']``: under Azure the line is an
    Azure command whose syntax cut the Octopus message from its ']'; its value, base64 with
    spaces (Calamari skips them), is the secret ``u:000`` and must not pass."""
    out = io.StringIO()
    path = tmp_path / "a.zst"
    handler = LogtrimHandler(path, budget="4kB", ci=ci, stream=out, masks=("u:000",))
    handler.write("##[##octopus[setVariable name='eA==' value='  dTowM    DA \tw']", 20)
    handler.close(exit_code=1)
    for text in (out.getvalue().encode(), zstd_dc(path)):
        values = re.findall(rb"value='([^']*)'", text)
        assert values, text
        for raw in values:
            assert b"u:000" not in (calamari_value(raw) or b""), text
