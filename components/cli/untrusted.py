"""Bytes other people write — stack files, `--config`, tokens, `--stack-outputs`, `adopt` sources, a base
revision's plan, cache entries, an issuer's answers: the one place they are read and parsed. Regular files
only, bounded in size and in nesting, and one error shape (`<flag or path>: <what is wrong> (<allowed>)`).
"""

from __future__ import annotations

import json
import os
import re
import stat
from itertools import accumulate
from pathlib import Path
from typing import Any

from components.core.display import quote
from components.core.model import ConfigError, Problem

STACK_FILE_MAX_BYTES = 1024 * 1024
TOKEN_MAX_BYTES = 64 * 1024
MAX_DEPTH = 64  # JSON nesting: irsa's own documents are a few levels deep; a deeper one is an attack or a mistake


class TooBig(ConfigError):
    """A file over its limit; `size` is how big it is."""

    def __init__(self, problems: list[Problem], size: int):
        super().__init__(problems)
        self.size = size


class Unreadable(Exception):  # noqa: N818 - a reason, for sources that are not files (an issuer's answer)
    """Bytes that are not what was expected: `wrong` says what, `allowed` what would be."""

    def __init__(self, wrong: str, allowed: str):
        super().__init__(wrong)
        self.wrong, self.allowed = wrong, allowed


def read_bytes(
    path: str | Path, label: str, what: str, limit: int, *, dir_fd: int | None = None, owned: bool = False
) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; ConfigError naming `label` otherwise.

    Opened non-blocking, so a FIFO with no writer is refused instead of hanging, and checked with fstat before
    anything is read, so /dev/zero or a huge file never reaches memory. `owned`: the file must also be this
    user's, writable by no one else, and not a symbolic link (cache entries). `dir_fd`: `path` is relative to it.
    """
    shown = quote(str(path))
    fd = _open_regular(path, label, what, dir_fd=dir_fd, owned=owned)
    try:
        info = os.fstat(fd)
        if info.st_size > limit:
            raise TooBig([Problem(label, f"{shown} is {info.st_size} bytes", f"a {what} of at most {limit} bytes")],
                         info.st_size)  # fmt: skip
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            total += len(chunk)
            if total > limit:  # grew after fstat
                raise TooBig([Problem(label, f"{shown} is over {limit} bytes", f"a {what} of at most {limit} bytes")],
                             total)  # fmt: skip
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as error:
        raise ConfigError(
            [Problem(label, f"cannot read {shown}: {error.strerror or error}", f"a readable {what}")]
        ) from None
    finally:
        os.close(fd)


def read_tail(path: str | Path, label: str, what: str, limit: int) -> bytes:
    """The last `limit` bytes of a regular file (another process's error output: its end says why)."""
    fd = _open_regular(path, label, what)
    try:
        size = os.fstat(fd).st_size
        os.lseek(fd, max(0, size - limit), os.SEEK_SET)
        return os.read(fd, limit)
    except OSError as error:
        raise ConfigError(
            [Problem(label, f"cannot read {quote(str(path))}: {error.strerror or error}", f"a readable {what}")]
        ) from None
    finally:
        os.close(fd)


def _open_regular(path: str | Path, label: str, what: str, *, dir_fd: int | None = None, owned: bool = False) -> int:
    """A descriptor of a regular file, opened non-blocking (a FIFO with no writer is refused, not waited on).

    `owned`: also this user's, writable by no one else, and not a symbolic link. ConfigError naming `label`.
    """
    shown = quote(str(path))
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | (os.O_NOFOLLOW if owned else 0)
    try:
        fd = os.open(path, flags, dir_fd=dir_fd)
    except (OSError, ValueError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise ConfigError([Problem(label, f"cannot read {shown}: {reason}", f"an existing, readable {what}")]) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ConfigError([Problem(label, f"{shown} is not a regular file", f"a {what}, not a device or pipe")])
        if owned and (info.st_uid != os.getuid() or info.st_mode & 0o022):
            raise ConfigError([Problem(label, f"{shown} is not yours alone", f"a {what} only you can write")])
    except OSError as error:
        os.close(fd)
        raise ConfigError(
            [Problem(label, f"cannot read {shown}: {error.strerror or error}", f"a readable {what}")]
        ) from None
    except BaseException:
        os.close(fd)
        raise
    return fd


def utf8(data: bytes, label: str, what: str) -> str:
    """`data` decoded as UTF-8; ConfigError naming the line and column of the first bad byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise ConfigError(
            [
                Problem(
                    f"{label}:{line}:{column}",
                    f"byte 0x{data[error.start]:02x} is not UTF-8",
                    f"a {what} in UTF-8: re-save it as UTF-8",
                )
            ]
        ) from None


def read_text(path: str | Path, label: str, what: str, limit: int) -> str:
    """A bounded regular file as UTF-8 text."""
    return utf8(read_bytes(path, label, what, limit), label, what)


_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKETS = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def depth(text: str) -> int:
    """How deeply a JSON text nests (outside its strings), in linear time and without recursion."""
    brackets = _BRACKETS.sub("", _STRING.sub("", text))
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def parse_json(data: bytes | str, max_depth: int = MAX_DEPTH, **options: Any) -> Any:
    """JSON from untrusted bytes, nesting at most `max_depth`; Unreadable saying why not."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError:
        raise Unreadable("is not UTF-8", "JSON in UTF-8") from None
    found = depth(text)
    if found > max_depth:
        raise Unreadable(f"nests {found} levels deep", f"JSON nested at most {max_depth} levels")
    try:
        return json.loads(text, **options)
    except (ValueError, RecursionError) as error:
        raise Unreadable(f"is not JSON: {quote(str(error), 120)[1:-1]}", "JSON") from None


def read_json(
    path: str | Path, label: str, what: str, limit: int, allowed: str, *, dir_fd: int | None = None,
    owned: bool = False,
) -> Any:  # fmt: skip
    """A bounded regular UTF-8 file of JSON nested at most MAX_DEPTH; ConfigError naming `label` otherwise."""
    text = utf8(read_bytes(path, label, what, limit, dir_fd=dir_fd, owned=owned), label, what)
    try:
        return parse_json(text)
    except Unreadable as error:
        shown = allowed if error.allowed == "JSON" else f"{allowed}, {error.allowed}"
        raise ConfigError([Problem(label, error.wrong, shown)]) from None
