"""Atomic file writes: a killed run must leave the previous file intact, never a half-written one.

Only regular files are ever replaced: a FIFO, a device node, a socket or a directory given as an output is
refused (`OutputPathError`), not silently turned into a regular file. `check_output_file` and
`check_output_dir` run the same checks up front, so a command refuses a bad `--out` before it simulates.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from workbench.errors import WorkbenchError
from workbench.escaping import quote

__all__ = ["OutputPathError", "atomic_write_bytes", "atomic_write_text", "check_output_dir", "check_output_file"]


class OutputPathError(WorkbenchError):
    """An output path that cannot or must not be written (the command line maps it to a usage error)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(path, reason)
        self.path, self.reason = path, reason

    def __str__(self) -> str:
        return f"{quote(self.path)} {self.reason}"


_KINDS = (
    (stat.S_ISDIR, "is a directory"),
    (stat.S_ISFIFO, "is a named pipe (FIFO)"),
    (stat.S_ISCHR, "is a character device"),
    (stat.S_ISBLK, "is a block device"),
    (stat.S_ISSOCK, "is a socket"),
)


def _kind(mode: int) -> str | None:
    for test, what in _KINDS:
        if test(mode):
            return what
    return None if stat.S_ISREG(mode) else "is not a regular file"


def _writable_parent(path: Path, shown: str) -> None:
    """The nearest existing ancestor of `path` must be a directory we may create files in."""
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        if parent.is_symlink():
            raise OutputPathError(shown, f"has a dangling symbolic link in its folder ({quote(str(parent))})")
        parent = parent.parent
    if not parent.is_dir():
        raise OutputPathError(shown, f"is inside {quote(str(parent))}, which is not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputPathError(shown, f"cannot be created: folder {quote(str(parent))} is not writable")


def check_output_file(path: str | Path) -> Path:
    """The path a file may be atomically written to (a link is followed), or `OutputPathError` saying why not:
    empty, a directory, FIFO, device or socket, a dangling link, read-only, or in a folder that cannot be
    written."""
    shown = str(path)
    if not shown:
        raise OutputPathError(shown, "is empty: give a file name")
    target = Path(path)
    try:
        info = target.lstat()
    except (FileNotFoundError, NotADirectoryError):
        _writable_parent(target, shown)
        return target
    except OSError as error:
        raise OutputPathError(shown, f"cannot be examined: {error.strerror}") from None
    if stat.S_ISLNK(info.st_mode):
        try:
            info = target.stat()
        except OSError:
            raise OutputPathError(shown, "is a dangling symbolic link (or a loop of them)") from None
        target = Path(os.path.realpath(target))
    refused = _kind(info.st_mode)
    if refused:
        raise OutputPathError(shown, f"{refused}; only a regular file is replaced")
    if not os.access(target, os.W_OK):
        raise OutputPathError(shown, "is read-only")
    _writable_parent(target, shown)
    return target


def check_output_dir(path: str | Path) -> Path:
    """A folder reports may be written into (created if missing), or `OutputPathError` saying why not: empty,
    not a folder, a dangling link, not writable, or the current folder or one holding it (the report folder
    is replaced as a whole, `write.write_files`)."""
    shown = str(path)
    if not shown:
        raise OutputPathError(shown, "is empty: give a folder")
    target = Path(path)
    if target.is_symlink() and not target.exists():
        raise OutputPathError(shown, "is a dangling symbolic link (or a loop of them)")
    here, folder = Path.cwd().resolve(), target.resolve()
    if here == folder or folder in here.parents:
        raise OutputPathError(shown, "is (or holds) the current folder; reports replace their folder whole")
    if target.exists():
        if not target.is_dir():
            raise OutputPathError(shown, "exists and is not a folder")
        if not os.access(target, os.W_OK | os.X_OK):
            raise OutputPathError(shown, "is a folder that is not writable")
        return target
    _writable_parent(target, shown)
    return target


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write `data` to a temporary file beside `path`, fsync it, then rename it over `path`.

    Refuses (`OutputPathError`) a target that is not a regular file, checked again here and not only up
    front, since the path may have changed since.
    """
    path = check_output_file(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def atomic_write_text(path: str | Path, text: str) -> None:
    """Atomically write UTF-8 text with Unix newlines (so output is byte-identical across platforms)."""
    atomic_write_bytes(path, text.encode("utf-8"))
