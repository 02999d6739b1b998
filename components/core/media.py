"""Values on their way to a reader, one escaper per medium (pure): a terminal, a GitHub markdown comment.

Anything a stack file can say reaches `plan`, `diff` and the PR comment through these functions only, so a
value cannot move the cursor, rewrite a line, open an HTML comment, close a code fence or a `<details>`, or
mention someone. tests/test_media.py renders hostile values and reads the result the way GitHub does (cmark-gfm)
and the way a terminal does.
"""

from __future__ import annotations

import html
import re
import unicodedata

# Controls, format characters (zero-width, bidi overrides) and separators: a terminal acts on them or hides them.
_HIDDEN = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def escaped(ch: str) -> str:
    """`ch` as a Python-style escape (\\x, \\u or \\U, by its code point)."""
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def hidden(ch: str) -> bool:
    """Whether a terminal acts on `ch` or hides it (its Unicode category is one of _HIDDEN)."""
    return unicodedata.category(ch) in _HIDDEN


# Printable ASCII is never hidden: only runs of other characters are looked up, one by one. A plan of 10 MB
# is then escaped without a list of its characters (a join over them held 8 bytes per character).
_NOT_ASCII_TEXT = re.compile(r"[^\n -~]+")
_NOT_PRINTABLE_ASCII = re.compile(r"[^ -~]+")


def _terminal_run(match: re.Match[str]) -> str:
    return "".join(escaped(ch) if ch != "\t" and hidden(ch) else ch for ch in match.group())


def _one_line_run(match: re.Match[str]) -> str:
    return "".join("\\n" if ch == "\n" else escaped(ch) if hidden(ch) else ch for ch in match.group())


def for_terminal(text: str) -> str:
    """Text for a terminal: line breaks stay, every other control or hidden character (ESC, CR, BEL, bidi
    overrides, zero-width) is written out as an escape."""
    return _NOT_ASCII_TEXT.sub(_terminal_run, text)


def _one_line(text: str) -> str:
    return _NOT_PRINTABLE_ASCII.sub(_one_line_run, text)


def code(text: str, in_table: bool = False) -> str:
    """An inline code span that shows `text` exactly, whatever backticks, HTML, pipes or mentions it holds."""
    value = _one_line(text)
    if in_table:
        value = value.replace("|", "\\|")  # GFM splits cells on | even inside code spans, unless escaped
    longest = max((len(run) for run in re.findall(r"`+", value)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if value.startswith(("`", " ")) or value.endswith(("`", " ")) or not value else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def fenced(body: str, language: str = "") -> list[str]:
    """A fenced code block holding `body` verbatim: its fence is longer than any backtick run inside, so no
    line of the body can close it."""
    text = for_terminal(body.rstrip("\n"))
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}{language}", text, fence]


def html_text(text: str) -> str:
    """Text inside raw HTML (a `<summary>`): markup escaped, one line."""
    return html.escape(_one_line(text), quote=True)
