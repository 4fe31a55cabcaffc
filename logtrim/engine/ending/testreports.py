"""Where a failing test's report is (:mod:`.reason`): the error line that says why a test
failed comes after the line that names it, or after a line announcing the failing tests'
reports (Mocha's ``2 failing``, RSpec's ``Failures:``), whose numbered headings have no error
word. Sans-IO: line numbers in, answers out."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..._regex import lazy
from .ranks import Rank

# A line announcing failing tests' reports: Mocha's count ("2 failing"), or a heading that
# names them ("Failures:", "There were 2 failures:"). Not a compiler's "1 error": it ends
# its report, and the build's lines after it are no test's.
_REPORTS = lazy(
    rb"^[0-9]+ failing$|^(?:failures|failed (?:tests|examples|specs)|errors|"
    rb"there (?:was|were) [0-9]+ (?:failures?|errors?)) ?:$",
    re.I,
)


def reports_follow(body: bytes) -> bool:
    """Whether a status line announces failing tests' reports (:data:`_REPORTS`)."""
    return _REPORTS.match(body) is not None


#: How far after a failing test's line (or the announcement) its report may end.
REPORT_LINES = 300
_NONE = -(1 << 62)


@dataclass
class TestReports:
    """The last failing test's line and the last announcement of failing tests' reports,
    each until the first line after it that may say why is taken."""

    __test__ = False  # (not a test class, to pytest)

    failing_test: int = _NONE  # the line of the last failing test named without its assertion
    announced: int = _NONE  # the line announcing failing tests' reports ("2 failing")

    def in_test(self, lineno: int) -> bool:
        """Whether a line is the first after a failing test's line that may say why (the
        first traceback or panic after it is its report); the next one is not."""
        if 0 <= lineno - self.failing_test <= REPORT_LINES:
            self.failing_test = _NONE
            return True
        return False

    def in_reports(self, lineno: int) -> bool:
        """Whether an error line is the first after an announcement: then it says why the
        first test failed; the next one is not."""
        if 0 < lineno - self.announced <= REPORT_LINES:
            self.announced = _NONE
            return True
        return False

    def rank(self, rank: Rank, body: bytes, lineno: int) -> Rank:
        """An error line's ``rank`` where it stands among failing tests' reports: a failing
        test's line or an announcement is remembered; the first error of a report says why
        that test failed (the first wins over later ones of its rank)."""
        first_report = self.in_reports(lineno)
        if rank == Rank.TEST:
            self.failing_test = lineno
        elif rank == Rank.STATUS and reports_follow(body):
            self.announced = lineno
        elif first_report and rank <= Rank.EXCEPTION:
            return Rank.TEST_ASSERTION  # the first failing test's error: the first wins
        elif rank == Rank.FATAL and self.in_test(lineno):
            return Rank.TEST_ASSERTION  # what stopped a failing test (Go's ``panic:``)
        return rank

    def near(self, lineno: int) -> bool:
        """Whether a line is within reach of an announcement, or of a failing test's line,
        not yet answered (its error line is then ranked in full, never from the memo)."""
        return (
            0 <= lineno - self.announced <= REPORT_LINES
            or 0 <= lineno - self.failing_test <= REPORT_LINES
        )


__all__ = ["REPORT_LINES", "TestReports"]
