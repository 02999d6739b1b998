"""Directories only this user can change, for caches whose contents are trusted (plans, the engine's binaries).

A cache directory is used only when every directory from its root down to it is a real directory (never a
symbolic link) owned by this user that nobody else may write, and the root is reached through directories
only this user or root can change (sticky where others may write). Otherwise NotPrivate names the directory,
what is wrong and how to fix it. Directories are walked with file descriptors, so a link swapped in after a
check is never followed.

Standard library only: `tests/engine/build.sh` runs this file with any python3 (`python3 owned.py ROOT NAME...`).
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from pathlib import Path

ELSEWHERE = "set XDG_CACHE_HOME (IRSA_ENGINE_HOME for the engine) to a directory of your own"
FOLLOW_NOTHING = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW


class NotPrivate(Exception):  # noqa: N818 - an answer: this directory is not private
    """A cache directory that someone else could change."""

    def __init__(self, path: str | Path, wrong: str, fix: str):
        super().__init__(f"{path}: {wrong} ({fix})")
        self.path, self.wrong, self.fix = str(path), wrong, fix


def cache_root() -> Path:
    """$XDG_CACHE_HOME, else ~/.cache: where irsa's caches live unless told otherwise."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")


def _mode(info: os.stat_result) -> str:
    return f"mode {stat.S_IMODE(info.st_mode):04o}"


def _check_ancestor(path: Path) -> None:
    """A directory above a cache root: only this user or root may change what it holds."""
    uid = os.getuid()
    info = os.stat(path)
    if info.st_uid not in (uid, 0):
        raise NotPrivate(path, f"is owned by uid {info.st_uid}, not by you (uid {uid}) or root", ELSEWHERE)
    if info.st_mode & 0o022 and not info.st_mode & stat.S_ISVTX:
        raise NotPrivate(path, f"may be written by others ({_mode(info)}, not sticky)",
                         f"chmod go-w {path}, or {ELSEWHERE}")  # fmt: skip


def _check_own(fd: int, path: Path) -> None:
    """A cache directory itself: this user's, and nobody else may write it."""
    uid = os.getuid()
    info = os.fstat(fd)
    if info.st_uid != uid:
        raise NotPrivate(path, f"is owned by uid {info.st_uid}, not by you (uid {uid})", f"remove it, or {ELSEWHERE}")
    if info.st_mode & 0o022:
        raise NotPrivate(path, f"may be written by others ({_mode(info)})", f"chmod go-w {path}")


def open_private(root: Path, below: tuple[str, ...] = (), create: bool = False) -> int:
    """A file descriptor of the directory `root`/`below`…, each component checked (created 0700 when `create`);
    NotPrivate otherwise (FileNotFoundError when it does not exist and `create` is false)."""
    root = Path(os.path.abspath(root))
    uid = os.getuid()
    for step in [*reversed(root.parents), root]:  # a link on the way could be swapped only by its owner
        with contextlib.suppress(FileNotFoundError):  # created later, 0700, or missed then
            info = os.lstat(step)
            if stat.S_ISLNK(info.st_mode) and info.st_uid not in (uid, 0):
                raise NotPrivate(step, f"is a symbolic link of uid {info.st_uid}", f"remove it, or {ELSEWHERE}")
    real = Path(os.path.realpath(root))
    for ancestor in dict.fromkeys([*reversed(root.parents), *reversed(real.parents)]):
        with contextlib.suppress(FileNotFoundError):  # created later, 0700, or missed then
            _check_ancestor(ancestor)
    if create:
        os.makedirs(real, mode=0o700, exist_ok=True)
    fd = os.open(real, FOLLOW_NOTHING)
    path = root
    try:
        _check_own(fd, path)
        for name in below:
            path = path / name
            if create:
                with contextlib.suppress(FileExistsError):
                    os.mkdir(name, 0o700, dir_fd=fd)
            info = os.lstat(name, dir_fd=fd)
            if stat.S_ISLNK(info.st_mode):
                raise NotPrivate(path, "is a symbolic link", f"remove it: irsa creates {path} itself")
            if not stat.S_ISDIR(info.st_mode):
                raise NotPrivate(path, "is not a directory", f"remove it: irsa creates {path} itself")
            child = os.open(name, FOLLOW_NOTHING, dir_fd=fd)
            os.close(fd)
            fd = child
            _check_own(fd, path)
    except BaseException:
        os.close(fd)
        raise
    return fd


def check_entries(fd: int, path: Path) -> None:
    """Every entry of a private directory is this user's and nobody else may write it (symbolic links: owned)."""
    uid = os.getuid()
    for entry in os.scandir(fd):
        info = entry.stat(follow_symlinks=False)
        if info.st_uid != uid:
            raise NotPrivate(path / entry.name, f"is owned by uid {info.st_uid}, not by you (uid {uid})",
                             f"remove {path / entry.name}")  # fmt: skip
        if not stat.S_ISLNK(info.st_mode) and info.st_mode & 0o022:
            raise NotPrivate(path / entry.name, f"may be written by others ({_mode(info)})",
                             f"remove {path / entry.name}")  # fmt: skip


def main(argv: list[str]) -> int:
    """`owned.py ROOT NAME...`: create ROOT/NAME… privately, check it and every entry of its last directory."""
    root, *below = argv
    try:
        fd = open_private(Path(root), tuple(below), create=True)
        try:
            check_entries(fd, Path(root, *below))
        finally:
            os.close(fd)
    except NotPrivate as error:
        print(error, file=sys.stderr)
        return 2
    except OSError as error:
        print(f"{error.filename or root}: {error.strerror} (a directory you can create and own)", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
