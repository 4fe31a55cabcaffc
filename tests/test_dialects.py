"""The CI dialects: detection, recognising the child's commands, secrets, groups, finish()."""

from __future__ import annotations

import pytest
from conftest import RunLogtrim, py

from logtrim.dialects import AppendFile, Closing, Dialect, Print, RunProgram, choose
from logtrim.dialects.azure import Azure
from logtrim.dialects.buildkite import Buildkite
from logtrim.dialects.github import GitHub
from logtrim.dialects.gitlab import GitLab
from logtrim.dialects.jenkins import Jenkins
from logtrim.dialects.teamcity import TeamCity
from logtrim.run.actions import carry_out

# Spaces, brackets, semicolon, quote, percent, bar, a newline and non-ASCII: all at once.
NASTY = "/tmp/my logs/[x]; it's 100% |né\nfinal€.zst"
SIMPLE = "/work/deploy.log.zst"


def closing(path: str | None = NASTY, exit_code: int = 0, **kw: object) -> Closing:
    base: dict[str, object] = {
        "archive_path": path,
        "archive_name": "deploy.log.zst",
        "archive_size": 12345,
        "exit_code": exit_code,
        "reason": "health check failed: 3/5, retry" if exit_code else None,
        "env": {},
    }
    base.update(kw)
    return Closing(**base)  # type: ignore[arg-type]


# Detection


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"OctopusCalamariWorkingDirectory": "/calamari"}, "octopus"),
        ({"GITHUB_ACTIONS": "true"}, "github"),
        ({"TF_BUILD": "True"}, "azure"),
        ({"TEAMCITY_VERSION": "2024.12"}, "teamcity"),
        ({"GITLAB_CI": "true"}, "gitlab"),
        ({"BUILDKITE": "true"}, "buildkite"),
        ({"JENKINS_URL": "https://ci.example/"}, "jenkins"),
        ({}, "plain"),
        ({"GITHUB_ACTIONS": "false", "GITLAB_CI": ""}, "plain"),
        ({"JENKINS_URL": "https://ci/", "TF_BUILD": "True"}, "azure"),
        ({"GITHUB_ACTIONS": "true", "OctopusCalamariWorkingDirectory": "/c"}, "octopus"),
    ],
)
def test_auto_picks_the_ci_from_its_environment(env: dict[str, str], expected: str) -> None:
    """`--ci auto` speaks the dialect of the CI it runs under (first listed wins)."""
    assert choose("auto", env).name == expected


def test_explicit_choice_ignores_environment() -> None:
    """`--ci teamcity` speaks TeamCity even where GitHub's variables are set."""
    assert isinstance(choose("TeamCity", {"GITHUB_ACTIONS": "true"}), TeamCity)


# Recognising the child's own commands

COMMANDS: list[tuple[Dialect, str, bool]] = [
    (GitHub(), "::error file=a.py,line=3::boom", True),
    (GitHub(), "  ::warning::indented still counts", True),
    (GitHub(), "::ADD-MASK::names are case-insensitive", True),
    (GitHub(), "::std::move(value);", False),
    (GitHub(), "echo ::error::not at line start", False),
    (Azure(), "##vso[task.setvariable variable=a]1", True),
    (Azure(), "prefix ##vso[task.complete result=Failed]", True),
    (Azure(), "##[group]Build", True),
    (Azure(), "text ##[group]", False),
    (TeamCity(), "##teamcity[progressMessage 'x']", True),
    (TeamCity(), "[info] ##teamcity[message text='x']", True),
    (TeamCity(), "##octopus[stdout-default]", False),
    (GitLab(), "\x1b[0Ksection_start:1700000000:build[collapsed=true]\r\x1b[0KBuild", True),
    (GitLab(), "\x1b[0Ksection_end:1700000000:build\r\x1b[0K", True),
    (GitLab(), "see section_start:1:x in the docs", False),
    (Buildkite(), "--- :hammer: Build", True),
    (Buildkite(), "+++ Tests", True),
    (Buildkite(), "~~~ Quiet", True),
    (Buildkite(), "^^^ +++", True),
    (Buildkite(), "---no space", False),
    (Buildkite(), " --- indented", False),
    (Jenkins(), "[Pipeline] sh", False),
]


@pytest.mark.parametrize(("dialect", "line", "expected"), COMMANDS)
def test_child_commands_are_recognised(dialect: Dialect, line: str, expected: bool) -> None:
    """The child's CI commands reach the console verbatim; look-alikes stay in the budget."""
    assert dialect.is_command(line) is expected
    if expected:  # the fast byte pre-check must never hide a real command
        assert any(marker in line.encode() for marker in dialect.markers)


@pytest.mark.parametrize(
    ("dialect", "line", "expected"),
    [
        (Azure(), "##vso[task.setprogress value=75;]Upload", True),
        (Azure(), "##vso[task.setvariable variable=a]1", False),
        (TeamCity(), "##teamcity[progressMessage 'step 3']", True),
        (TeamCity(), "##teamcity[message text='x']", False),
        (GitHub(), "::notice::50%", False),
    ],
)
def test_progress_commands_are_recognised(dialect: Dialect, line: str, expected: bool) -> None:
    """Progress updates can be throttled without dropping other commands."""
    assert dialect.is_progress(line) is expected


# Secrets


@pytest.mark.parametrize(
    ("dialect", "line", "expected"),
    [
        (GitHub(), "::add-mask::s3cr3t", ["s3cr3t"]),
        (GitHub(), "::add-mask::a%25b%0Ac%3A", ["a%b\nc%3A"]),
        (GitHub(), "::add-mask::   ", []),
        (GitHub(), "::notice::s3cr3t", []),
        (Azure(), "##vso[task.setsecret]p%AZP25ss%3Bw", ["p%ss;w"]),
        (Azure(), "##vso[task.setvariable variable=t;issecret=true]tok en", ["tok en"]),
        (Azure(), "##vso[task.setvariable variable=t;issecret=false]public", []),
        (Azure(), "##vso[task.setsecret]", []),
        # ``Boolean.TryParse`` (older agents) trims NULs as it trims blanks
        (Azure(), "##vso[task.setvariable variable=t;issecret=true\0]tok en", ["tok en"]),
        (Azure(), "##vso[task.setvariable variable=t;issecret=true;issecret==]tok en", ["tok en"]),
        (TeamCity(), "##teamcity[setParameter name='x' value='y']", []),
    ],
)
def test_declared_secrets_are_learned(dialect: Dialect, line: str, expected: list[str]) -> None:
    """A value the child asks the CI to mask is masked by logtrim too, in its decoded form."""
    assert dialect.declared_secrets(line) == expected


def feed(dialect: GitHub, lines: list[str]) -> list[tuple[bool, list[str]]]:
    seen = []
    for line in lines:
        seen.append((dialect.is_command(line), dialect.declared_secrets(line)))
        dialect.observe(line)
    return seen


def test_stop_commands_pauses_until_the_token() -> None:
    """Between `::stop-commands::T` and `::T::` GitHub ignores commands, and so does logtrim;
    a paused `add-mask` is still learned (more masking is safe), as text to the runner."""
    lines = ["::stop-commands::tok", "::add-mask::hidden", "::error::x", "::tok::", "::add-mask::y"]
    assert feed(GitHub(), lines) == [
        (True, []),
        (False, ["hidden"]),
        (False, []),
        (True, []),
        (True, ["y"]),
    ]


@pytest.mark.parametrize("token", ["", "error", "Add-Mask"])
def test_stop_commands_with_an_invalid_token_does_not_pause(token: str) -> None:
    """A token the runner refuses (empty, or a command name) leaves commands working."""
    dialect = GitHub()
    dialect.observe(f"::stop-commands::{token}")
    assert dialect.paused_token is None
    assert dialect.declared_secrets("::add-mask::s3cr3t") == ["s3cr3t"]


def test_reset_lines_resume_a_pause_the_child_left_open() -> None:
    """logtrim's own ::error:: and ::notice:: still work after a child that never resumed."""
    dialect = GitHub()
    assert dialect.reset_lines() == []
    dialect.observe("::stop-commands::abc123")
    assert dialect.reset_lines() == ["::abc123::"]
    assert dialect.paused_token is None
    assert dialect.reset_lines() == []


# Groups


def test_group_lines() -> None:
    """Each CI folds logtrim's groups with its own syntax."""
    title = "Deploy: web [eu]; it's 1%"
    assert GitHub().group_start(title) == "::group::Deploy: web [eu]; it's 1%25"
    assert GitHub().group_end(title) == "::endgroup::"
    assert Azure().group_start(title + "\nx") == "##[group]Deploy: web [eu]; it's 1%\\nx"
    assert Azure().group_end(title) == "##[endgroup]"
    assert TeamCity().group_start(title) == (
        "##teamcity[blockOpened name='Deploy: web |[eu|]; it|'s 1%']"
    )
    assert TeamCity().group_end(title) == (
        "##teamcity[blockClosed name='Deploy: web |[eu|]; it|'s 1%']"
    )
    gitlab, now = GitLab(), 1700000000.9
    assert gitlab.group_start(title, timestamp=now) == (
        "\x1b[0Ksection_start:1700000000:deploy_web_eu_it_s_1[collapsed=true]\r\x1b[0K" + title
    )
    assert gitlab.group_end(title, timestamp=now) == (
        "\x1b[0Ksection_end:1700000000:deploy_web_eu_it_s_1\r\x1b[0K"
    )
    assert Buildkite().group_start(title) == "--- " + title
    assert Buildkite().group_end(title) is None
    assert Jenkins().group_start(title) is None


# finish(): golden output


def test_github_finish_on_success_without_summary_file() -> None:
    """A green GitHub run only names the archive, in a notice annotation."""
    assert GitHub().finish(closing()) == [
        Print(
            "::notice title=logtrim::full log deploy.log.zst at "
            "/tmp/my logs/[x]; it's 100%25 |né%0Afinal€.zst"
            " (keep it with actions/upload-artifact)"
        )
    ]


def test_github_finish_on_failure() -> None:
    """A red GitHub run gets one error annotation, a step summary and the archive notice."""
    actions = GitHub().finish(
        closing(
            exit_code=2,
            summary=["1,204 lines, 3 errors", "kept *all* errors"],
            first_errors=["ERROR ```boom``` <b>", "\x1b[31mFATAL\x1b[0m db down"],
            env={"GITHUB_STEP_SUMMARY": "/runner/summary.md"},
        )
    )
    assert actions == [
        Print("::error title=logtrim%3A exit code 2::health check failed: 3/5, retry"),
        AppendFile(
            "/runner/summary.md",
            "\n### logtrim: failed (exit code 2)\n\n"
            "Reason: `health check failed: 3/5, retry`\n\n"
            "- 1\\,204 lines\\, 3 errors\n"
            "- kept \\*all\\* errors\n\n"
            "First errors:\n\n"
            "````text\nERROR ```boom``` <b>\nFATAL db down\n````\n\n"
            "Full log: `/tmp/my logs/[x]; it's 100% |né\\nfinal€.zst` (12,345 bytes, zstd)\n",
        ),
        Print(
            "::notice title=logtrim::full log deploy.log.zst at "
            "/tmp/my logs/[x]; it's 100%25 |né%0Afinal€.zst"
            " (keep it with actions/upload-artifact)"
        ),
    ]


def test_github_failure_reason_is_one_short_line() -> None:
    """A huge multi-line reason becomes one annotation line of at most 500 characters."""
    reason = "first line\n" + "x" * 2000
    (error,) = GitHub().finish(closing(path=None, exit_code=1, reason=reason))
    assert isinstance(error, Print)
    data = error.text.split("::", 2)[2]
    assert data.startswith("first line xxx")
    assert len(data) == 500
    assert data.endswith("…")


def test_no_failure_marker_when_the_child_sent_its_own() -> None:
    """The child's own failure message is not repeated by logtrim."""
    for dialect in (GitHub(), Azure(), TeamCity()):
        assert dialect.finish(closing(path=None, exit_code=1, child_sent_result=True)) == []


def test_failure_without_reason_names_the_exit_code() -> None:
    """A failed run with no known reason still says how it ended."""
    (line,) = Azure().finish(closing(path=None, exit_code=137, reason=None))
    assert line == Print("##vso[task.logissue type=error]exited with code 137")


def test_azure_finish() -> None:
    """Azure marks the failure and uploads the archive as artifact `deploy.log.zst`."""
    assert Azure().finish(closing(exit_code=1)) == [
        Print("##vso[task.logissue type=error]health check failed: 3/5, retry"),
        Print(
            "##vso[artifact.upload containerfolder=logtrim;artifactname=deploy.log.zst]"
            "/tmp/my logs/[x]; it's 100%AZP25 |né%0Afinal€.zst"
        ),
    ]
    assert Azure().finish(closing(SIMPLE)) == [
        Print(
            "##vso[artifact.upload containerfolder=logtrim;artifactname=deploy.log.zst]"
            "/work/deploy.log.zst"
        )
    ]


def test_azure_escapes_artifact_name_properties() -> None:
    """An artifact name with `;` or `]` cannot inject another property or end the command."""
    (line,) = Azure().finish(closing(SIMPLE, archive_name="a;b]c%"))
    assert line == Print(
        "##vso[artifact.upload containerfolder=logtrim;artifactname=a%3Bb%5Dc%AZP25]"
        "/work/deploy.log.zst"
    )


def test_teamcity_finish() -> None:
    """TeamCity gets an ERROR message and a publishArtifacts rule matching the archive."""
    assert TeamCity().finish(closing(exit_code=1)) == [
        Print("##teamcity[message text='health check failed: 3/5, retry' status='ERROR']"),
        Print("##teamcity[publishArtifacts '/tmp/my logs/|[x|]; it|'s 100% ||né?final€.zst']"),
    ]
    assert TeamCity().finish(closing("/w/a,b=>c.zst")) == [
        Print("##teamcity[publishArtifacts '/w/a?b=?c.zst']")
    ]
    # A `*` in the path published every other file its pattern matched too.
    assert TeamCity().finish(closing("/w/x*.log.zst")) == [
        Print("##teamcity[publishArtifacts '/w/x?.log.zst']")
    ]


def test_gitlab_and_jenkins_finish_name_the_archive() -> None:
    """GitLab and Jenkins have no publish command: one line names the archive and the fix;
    a failure gets logtrim's own line with its reason (they have no failure mark)."""
    assert GitLab().finish(closing(exit_code=1)) == [
        Print("[logtrim] failed (exit 1): health check failed: 3/5, retry"),
        Print(
            "[logtrim] full log: /tmp/my logs/[x]; it's 100% |né\\nfinal€.zst"
            " (keep it with artifacts:paths and artifacts:when: always in .gitlab-ci.yml)"
        ),
    ]
    assert Jenkins().finish(closing()) == [
        Print(
            "[logtrim] full log: /tmp/my logs/[x]; it's 100% |né\\nfinal€.zst"
            " (keep it with archiveArtifacts)"
        )
    ]
    assert GitLab().finish(closing(None)) == Jenkins().finish(closing(None)) == []


def test_buildkite_uploads_with_the_agent() -> None:
    """On a Buildkite agent the archive is uploaded; a failure expands the last group."""
    actions = Buildkite().finish(closing(exit_code=1))
    assert actions[0] == Print("^^^ +++")
    assert [a.argv for a in actions[1:] if isinstance(a, RunProgram)] == [
        ("buildkite-agent", "artifact", "upload", "/tmp/my logs/?x?? it's 100% |né\nfinal€.zst")
    ]
    (upload,) = Buildkite().finish(closing(SIMPLE))
    assert isinstance(upload, RunProgram)
    assert upload.argv == ("buildkite-agent", "artifact", "upload", SIMPLE)


def test_buildkite_without_agent_says_how_to_upload(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without buildkite-agent on PATH, the shell prints one line with the upload command."""
    monkeypatch.setenv("PATH", "")
    warnings: list[str] = []
    assert carry_out(Buildkite().finish(closing(SIMPLE)), warnings.append) == [
        "[logtrim] full log: /work/deploy.log.zst"
        " (upload it with: buildkite-agent artifact upload /work/deploy.log.zst)"
    ]
    assert warnings == []


def test_no_archive_no_publish() -> None:
    """Without an archive nothing is published, and a green run prints nothing."""
    for dialect in (GitHub(), Azure(), TeamCity(), Buildkite()):
        assert dialect.finish(closing(None)) == []


@pytest.mark.parametrize("closes", [False, True])
def test_github_a_group_the_step_left_open_is_ended_before_logtrims_lines(
    run_logtrim: RunLogtrim, closes: bool
) -> None:
    """A step that fails inside `::group::` would fold logtrim's error and notice into the
    collapsed group: logtrim ends it first, once, and only when the step did not."""
    step = "print('::group::Build'); print('compiling'); print('ERROR: it broke')\n"
    step += "print('::endgroup::')\n" if closes else ""
    result = run_logtrim("--ci", "github", "--", *py(step + "raise SystemExit(2)"))
    assert result.code == 2
    lines = result.stdout.splitlines()
    assert lines.count(b"::endgroup::") == 1
    end = lines.index(b"::endgroup::")
    assert lines.index(b"ERROR: it broke") < end < lines.index(next(
        ln for ln in lines if ln.startswith(b"::error ")
    ))  # fmt: skip


def _github_before_error(run_logtrim: RunLogtrim, written: bytes) -> list[bytes]:
    """The console lines of a failing step that writes ``written`` then an error, from
    the error up to logtrim's own ``::error``."""
    step = (
        "import sys; out = sys.stdout.buffer\n"
        f"out.write({written!r} + b'ERROR: it broke\\n'); out.flush()\n"
        "raise SystemExit(2)"
    )
    result = run_logtrim("--ci", "github", "--", *py(step))
    assert result.code == 2
    lines = result.stdout.splitlines()
    error = lines.index(next(ln for ln in lines if ln.startswith(b"::error ")))
    return lines[lines.index(b"ERROR: it broke") : error]


@pytest.mark.parametrize(
    ("first", "reset"),
    [(b"::stop-commands::tok1", b"::tok1::"), (b"::group::Build", b"::endgroup::")],
)
def test_github_a_pause_or_group_after_a_byte_order_mark_is_followed(
    run_logtrim: RunLogtrim, first: bytes, reset: bytes
) -> None:
    """The runner (.NET) drops a byte-order mark at the output's start, so a pause or a group
    opened behind one is the runner's: logtrim ends it before its own ``::error``, as it does
    without the mark (else the paused runner reads logtrim's annotations as text)."""
    assert reset in _github_before_error(run_logtrim, b"\xef\xbb\xbf" + first + b"\n")


def test_github_a_resume_behind_a_later_byte_order_mark_resumes_nothing(
    run_logtrim: RunLogtrim,
) -> None:
    """The runner drops a byte-order mark at the output's start only: ``\\ufeff::tok1::``
    later on is text to it, the pause goes on, so logtrim still resumes it before its own
    ``::error`` (which the paused runner would print as text)."""
    written = b"::stop-commands::tok1\nbuilding\n\xef\xbb\xbf::tok1::\n"
    assert b"::tok1::" in _github_before_error(run_logtrim, written)
