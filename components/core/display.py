"""Untrusted values as they appear in messages: one line, escaped, bounded (pure)."""

from __future__ import annotations

from typing import Any

from components.core.media import escaped, hidden

MAX_SHOWN = 120  # characters of a value echoed back in a message


def escape(text: str, ascii_only: bool = False) -> str:
    """`text` with every invisible or line-breaking character, and with `ascii_only` every non-ASCII one
    (look-alikes such as a Cyrillic 'а'), written as a Python-style escape."""
    out = []
    for ch in text:
        if ch == "\\" and ascii_only:
            out.append("\\\\")
        elif ch in "\n\r\t":
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}[ch])
        elif (ascii_only and ord(ch) > 0x7E) or hidden(ch):
            out.append(escaped(ch))
        else:
            out.append(ch)
    return "".join(out)


GROUPED_PAST = 5  # more like warnings than this (one per shared role, say) are said once, naming a few


def some_of(names: list[str], most: int = 3) -> str:
    """Names in a message: all of a few, else the first `most` and how many more ("a, b, c and 97 more")."""
    if len(names) <= most:
        return ", ".join(names)
    return f"{', '.join(names[:most])} and {len(names) - most} more"


def one_line(text: str) -> str:
    """A message made safe for a one-line-per-problem stream: no line breaks or hidden characters."""
    return escape(text)


def quote(value: Any, limit: int = MAX_SHOWN) -> str:
    """A config or token value as a message shows it: strings quoted and escaped (non-ASCII too, so a
    look-alike is visible), containers summarised rather than printed, everything at most `limit` long."""
    if isinstance(value, str):
        shown = escape(value[: limit + 1], ascii_only=True)
        if len(value) > limit or len(shown) > limit:
            return f'"{shown[:limit]}..." ({len(value)} characters)'
        return f'"{shown}"'
    if isinstance(value, (dict, list, tuple)):
        return _container(value, limit)
    if isinstance(value, bool) or value is None:
        return repr(value).lower() if value is not None else "null"
    if isinstance(value, int):
        return (
            str(value)
            if value.bit_length() < 200
            else f"an integer of about {int(value.bit_length() * 0.30103)} digits"
        )
    if isinstance(value, float):
        return repr(value)
    return f"a {type(value).__name__}"


def _container(value: dict[Any, Any] | list[Any] | tuple[Any, ...], limit: int) -> str:
    """A short flat container in full (`["a", 1]`); anything nested or long as a summary, never walked."""
    items = list(value.items()) if isinstance(value, dict) else list(value)
    if len(items) <= 5:
        flat = (str, int, float, bool, type(None))
        if isinstance(value, dict):
            parts = [f"{quote(k, 30)}: {quote(v, 30)}" for k, v in items if isinstance(k, str) and isinstance(v, flat)]
            text = "{" + ", ".join(parts) + "}"
        else:
            parts = [quote(v, 30) for v in items if isinstance(v, flat)]
            text = "[" + ", ".join(parts) + "]"
        if len(parts) == len(items) and len(text) <= limit:
            return text
    if isinstance(value, dict):
        return f"a map of {len(items)} key{'s' if len(items) != 1 else ''}"
    return f"a list of {len(items)} item{'s' if len(items) != 1 else ''}"
