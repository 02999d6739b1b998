"""The one invalid-input error (pure, light: the command line imports it before anything else)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from components.core.display import one_line

_PROBLEM_LINE = re.compile(r"(.+?): (.+) \((.*)\)")


@dataclass(frozen=True)
class Problem:
    """One invalid input: where, what is wrong, what is allowed."""

    path: str
    wrong: str
    allowed: str

    def __str__(self) -> str:
        return one_line(f"{self.path}: {self.wrong} ({self.allowed})")

    @classmethod
    def from_line(cls, line: str, path: str, allowed: str) -> Problem:
        """A problem another process printed as a line; a line of another shape becomes what is wrong at `path`."""
        found = _PROBLEM_LINE.fullmatch(line)
        return cls(*found.groups()) if found else cls(path, line, allowed)


class InvalidInput(Exception):  # noqa: N818 - the name users see: "invalid input", exit 2
    """Every problem found in an input — stack config, component arguments, flags, files — reported at once."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


ConfigError = InvalidInput  # the name stack-config code and existing callers use
