"""Reading files other people write (stack files, tokens): regular files only, bounded, strict UTF-8."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

from components.core.display import quote
from components.core.model import ConfigError, Problem

STACK_FILE_MAX_BYTES = 1024 * 1024
TOKEN_MAX_BYTES = 64 * 1024


def read_bytes(path: str | Path, label: str, what: str, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; ConfigError naming `label` otherwise.

    Opened non-blocking, so a FIFO with no writer is refused instead of hanging, and checked with
    fstat before anything is read, so /dev/zero or a huge file never reaches memory.
    """
    shown = quote(str(path))
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except (OSError, ValueError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise ConfigError([Problem(label, f"cannot read {shown}: {reason}", f"an existing, readable {what}")]) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ConfigError([Problem(label, f"{shown} is not a regular file", f"a {what}, not a device or pipe")])
        if info.st_size > limit:
            raise ConfigError(
                [Problem(label, f"{shown} is {info.st_size} bytes", f"a {what} of at most {limit} bytes")]
            )
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            total += len(chunk)
            if total > limit:  # grew after fstat
                raise ConfigError(
                    [Problem(label, f"{shown} is over {limit} bytes", f"a {what} of at most {limit} bytes")]
                )
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as error:
        raise ConfigError(
            [Problem(label, f"cannot read {shown}: {error.strerror or error}", f"a readable {what}")]
        ) from None
    finally:
        os.close(fd)


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


def read_json(path: str | Path, label: str, what: str, limit: int, allowed: str) -> Any:
    """A bounded regular UTF-8 file of JSON; ConfigError naming `label` when it is not JSON."""
    text = read_text(path, label, what, limit)
    try:
        return json.loads(text)
    except ValueError as error:
        raise ConfigError([Problem(label, f"is not JSON: {error}", allowed)]) from None
