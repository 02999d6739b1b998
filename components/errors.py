"""Invalid input that is not stack configuration (flags, files, revisions): contract-shaped lines, exit 2."""

from __future__ import annotations


class InputError(Exception):
    """Carries lines already shaped `<path>: <what is wrong> (<what is allowed>)`."""

    def __init__(self, lines: list[str]):
        self.lines = lines
        super().__init__("\n".join(lines))
