"""Windows PowerShell's error records (the default script language of Octopus steps): the
reason is the record's message, the line above its ``At <script>:<line> char:<col>``, not its
``+ CategoryInfo`` or ``+ FullyQualifiedErrorId`` metadata. The records are written as
Windows PowerShell 5.1 writes them (its NormalView), CRLF line ends included."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import RunLogtrim
from octopus_decoder import messages

NEW_ITEM = r"""New-Item : Access to the path 'D:\sites\shop\releases\4.12.0' is denied.
At C:\Octopus\Work\Deploy.ps1:30 char:1
+ New-Item -ItemType Directory -Path $releaseDir
+ ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
    + CategoryInfo          : PermissionDenied: (D:\sites\shop\releases\4.12.0:String) [New-Item], UnauthorizedAccessException
    + FullyQualifiedErrorId : CreateDirectoryUnauthorizedAccessError,Microsoft.PowerShell.Commands.NewItemCommand
"""  # noqa: E501
THROW = r"""Running health checks
Deployment failed: health check returned 503
At C:\Octopus\Work\Deploy.ps1:88 char:5
+     throw "Deployment failed: health check returned 503"
+     ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
    + CategoryInfo          : OperationStopped: (Deployment fail...returned 503:String) [], RuntimeException
    + FullyQualifiedErrorId : Deployment failed: health check returned 503
"""  # noqa: E501
WRITE_ERROR = r"""C:\Octopus\Work\Deploy.ps1 : Deployment failed: certificate 3F2A9C not found in LocalMachine\My
At line:1 char:1
+ .\Deploy.ps1 -Environment Production
+ ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
    + CategoryInfo          : NotSpecified: (:) [Write-Error], WriteErrorException
    + FullyQualifiedErrorId : Microsoft.PowerShell.Commands.WriteErrorException,Deploy.ps1
"""  # noqa: E501
WEB = r"""Invoke-WebRequest : The remote server returned an error: (401) Unauthorized.
At C:\Octopus\Work\Deploy.ps1:12 char:1
+ Invoke-WebRequest -Uri $url -Headers $h -Method Post
+ ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
    + CategoryInfo          : InvalidOperation: (System.Net.HttpWebRequest:HttpWebRequest) [Invoke-WebRequest], WebException
    + FullyQualifiedErrorId : WebCmdletWebResponseException,Microsoft.PowerShell.Commands.InvokeWebRequestCommand
"""  # noqa: E501

CASES = {"new-item": NEW_ITEM, "throw": THROW, "write-error": WRITE_ERROR, "web": WEB}


def message_of(record: str) -> str:
    """The record's message: the line above its position line."""
    lines = record.splitlines()
    return next(lines[i - 1] for i, line in enumerate(lines) if line.startswith("At "))


def _step(tmp_path: Path, before: int, record: str, eol: str) -> list[str]:
    """A step that writes ``before`` lines of progress, then the record on stderr, then a
    line of its own, and exits 1."""
    out = tmp_path / "record.txt"
    out.write_bytes(record.replace("\n", eol).encode())
    code = (
        "import sys\n"
        f"for i in range({before}): print(f'Copying file bin/Shop.Module{{i}}.dll to D:/sites')\n"
        "sys.stdout.flush()\n"
        f"sys.stderr.buffer.write(open({str(out)!r}, 'rb').read()); sys.stderr.flush()\n"
        "print('Deployment script finished')\n"
        "sys.exit(1)\n"
    )
    return [sys.executable, "-c", code]


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("eol", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_the_reason_is_the_records_message(
    tmp_path: Path, run_logtrim: RunLogtrim, name: str, eol: str
) -> None:
    record = CASES[name]
    result = run_logtrim("--ci", "octopus", "--", *_step(tmp_path, 20, record, eol))
    assert result.code == 1
    (said,) = [m.attrs["message"] for m in messages(result.stdout) if m.name == "resultMessage"]
    assert said == message_of(record)


def test_in_a_long_run_at_a_small_budget(tmp_path: Path, run_logtrim: RunLogtrim) -> None:
    """Thousands of lines before it: the record is still the reason, and on the console."""
    step = _step(tmp_path, 5000, NEW_ITEM, "\r\n")
    result = run_logtrim("--ci", "plain", "--budget", "8kB", "--", *step)
    assert result.code == 1
    assert f"failed (exit 1): {message_of(NEW_ITEM)}".encode() in result.console
    assert b"At C:\\Octopus\\Work\\Deploy.ps1:30 char:1" in result.console


# Records that say no more than their words: a native tool's stderr line PowerShell wraps
# (``2>&1``), and a wrapper's throw after the tool's own error.
NATIVE = r"""git : From https://github.com/acme/shop
At C:\BuildAgent\work\build.ps1:3 char:1
+ git fetch origin 2>&1
+ ~~~~~~~~~~~~~~~~~~~~~
    + CategoryInfo          : NotSpecified: (From https://github.com/acme/shop:String) [], RemoteException
    + FullyQualifiedErrorId : NativeCommandError

C:\src\App\Program.cs(3,5): error CS0103: The name 'foo' does not exist in the current context [C:\src\App\App.csproj]

Build FAILED.
"""  # noqa: E501
WRAPPER = r"""C:\src\App\Program.cs(3,5): error CS0103: The name 'foo' does not exist in the current context [C:\src\App\App.csproj]

Build FAILED.
dotnet build failed with exit code 1
At C:\Octopus\Work\build.ps1:10 char:30
+ if ($LASTEXITCODE -ne 0) { throw "dotnet build failed with exit code 1" }
+                            ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
    + CategoryInfo          : OperationStopped: (dotnet build failed with exit code 1:String) [], RuntimeException
    + FullyQualifiedErrorId : dotnet build failed with exit code 1
"""  # noqa: E501


@pytest.mark.parametrize("record", [NATIVE, WRAPPER], ids=["native", "wrapper"])
def test_a_record_ranks_as_the_error_line_it_is(
    tmp_path: Path, run_logtrim: RunLogtrim, record: str
) -> None:
    """A record's message is no exception: the compiler's error, before the record or after
    it, says more than ``git : From ...`` or ``dotnet build failed with exit code 1``."""
    result = run_logtrim("--ci", "plain", "--", *_step(tmp_path, 3, record, "\r\n"))
    assert result.code == 1
    assert b"failed (exit 1): C:\\src\\App\\Program.cs(3,5): error CS0103:" in result.console


def test_metadata_is_never_the_reason(tmp_path: Path, run_logtrim: RunLogtrim) -> None:
    """A record whose message is out of reach (its position line coloured, its lines
    interleaved with the other stream's): its metadata, stderr's last line, is no reason."""
    coloured = "\n".join(f"\x1b[91m{line}\x1b[0m" for line in NEW_ITEM.splitlines()) + "\n"
    result = run_logtrim("--ci", "plain", "--", *_step(tmp_path, 3, coloured, "\n"))
    assert result.code == 1
    assert f"failed (exit 1): {message_of(NEW_ITEM)}\n".encode() in result.console
