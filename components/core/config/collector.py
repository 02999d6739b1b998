"""The problem collector every config block reads with (pure)."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from components.core.display import quote
from components.core.model import Problem


class Collector:
    """Accumulates problems while reading raw config values."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, path: str, wrong: str, allowed: str) -> None:
        self.problems.append(Problem(path, wrong, allowed))

    def unknown_keys(self, path: str, value: Mapping[str, Any], known: tuple[str, ...]) -> None:
        for key in value:
            if key not in known:
                close = difflib.get_close_matches(str(key)[:100], known, n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                self.add(f"{path}.{key_text(key)}", "unknown key", f"{hint}known keys: {', '.join(known)}")

    def is_map(self, path: str, value: Any, allowed: str) -> bool:
        """Whether `value` is a map; says so when it is not."""
        if isinstance(value, Mapping):
            return True
        self.add(path, f"{show(value)} is not a map", allowed)
        return False

    def items(self, path: str, value: Any, allowed: str, *, required: bool = True) -> list[Any] | None:
        """A non-empty list, or None after saying why not (silently None when absent and optional)."""
        if value is None:
            if required:
                self.add(path, "is required", allowed)
            return None
        if not isinstance(value, list) or not value:
            self.add(path, f"{show(value)} is not a non-empty list", allowed)
            return None
        return value

    def string(self, path: str, value: Any, *, required: bool = True) -> str | None:
        if value is None:
            if required:
                self.add(path, "is required", "a non-empty string")
            return None
        if not isinstance(value, str) or not value:
            self.add(path, f"{show(value)} is not a non-empty string", "a non-empty string")
            return None
        return value

    def boolean(self, path: str, value: Any, default: bool) -> bool:
        if value is None:
            return default
        if not isinstance(value, bool):
            self.add(path, f"{show(value)} is not a boolean", "true or false")
            return default
        return value

    def integer(self, path: str, value: Any, default: int, low: int, high: int, what: str) -> int:
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(path, f"{show(value)} is not an integer", f"{what}: an integer from {low} to {high}")
            return default
        if not low <= value <= high:
            self.add(path, f"{value} is out of range", f"{what}: {low} to {high}")
            return default
        return value


def show(value: Any) -> str:
    return quote(value)


def key_text(key: Any) -> str:
    """A map key as a path segment: escaped and bounded like any shown value."""
    return quote(key, 60)[1:-1] if isinstance(key, str) else quote(key, 60)
