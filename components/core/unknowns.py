"""Placeholders for values only a cloud lookup or a deployment can give (pure).

Offline, such a value prints as `<unknown: what it waits for>`. Anything computed from one is itself
a placeholder naming what it waits for — never a hash or a substring of the placeholder's text.
"""

from __future__ import annotations

PREFIX = "<unknown"


def unknown(what: str) -> str:
    """Placeholder for a value only a cloud lookup or a deployment can give."""
    return f"{PREFIX}: {what}>"


def is_unknown(value: object) -> bool:
    """Whether a value is a placeholder (so nothing may be derived from its text)."""
    return isinstance(value, str) and value.startswith(PREFIX)


def waits_for(value: str) -> str:
    """What a placeholder waits for (its text inside `<unknown: …>`), for a placeholder derived from it."""
    return value.removeprefix(f"{PREFIX}: ").removesuffix(">")
