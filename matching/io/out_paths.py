"""Where outputs may go, and writing them whole: checked paths, atomic files, all-or-none groups.

Every command that writes calls ``check_output`` (a file) or ``check_output_folder`` (a folder)
on each output path *before any work*, and every writer checks again right before it commits.
A path is refused, with ``OutputPathError`` (a ``MatchingError``: exit status 2), when it is

* a symbolic link (never followed, never replaced, whatever it points to);
* an existing folder where a file is wanted, or an existing file where a folder is wanted;
* an existing file that is not a regular file: a device such as ``/dev/null``, a pipe, a socket;
* under something that is not a folder (``report.csv/out.json``), or under a folder that
  cannot be written (missing folders on the way are created when the output is committed).

Writing (``write_file``, ``write_files``, ``write_folder``): every file is first written in full
to a temporary file with an unpredictable name (``tempfile.mkstemp``) in the folder of its
target, flushed to disk (``fsync``), and only then moved over the target (``os.replace``, atomic:
a reader sees the old file or the new one, never half a file). If anything fails, every
temporary file is removed. ``write_files`` commits a group of files all or none: all are staged
first, then moved into place one by one, and if one move fails the files already moved are put
back as they were (a previous version is kept as a hard link until the group has committed).
``write_folder`` writes a whole folder: a missing folder is staged as a temporary sibling folder
and renamed into place in one step; an existing folder keeps its other files and gets the named
files replaced as one ``write_files`` group.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import stat
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from matching.core.errors import MatchingError


def _current_umask() -> int:
    """The process umask, read without changing it where the system allows (Linux), else by setting it back."""
    for line in _proc_status():
        if line.startswith("Umask:") and line.split()[1:2] and line.split()[1].isdigit():
            return int(line.split()[1], 8)
    mask = os.umask(0o022)  # elsewhere: read it by setting it, then put it back at once
    os.umask(mask)
    return mask


def _proc_status() -> list[str]:
    """The lines of /proc/self/status, or none where the system has no such file."""
    try:
        return Path("/proc/self/status").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []


_UMASK = _current_umask()
FILE_MODE = 0o666 & ~_UMASK  # what a plain open() would create: files readable as before
FOLDER_MODE = 0o777 & ~_UMASK

Content = str | bytes


class OutputPathError(MatchingError):
    """An output path the command will not write to (a folder, a link, a device, a path under a file)."""

    code = "bad_output"

    def __init__(self, path: os.PathLike[str] | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"cannot write {str(path)!r}: {reason}. Nothing was written.")


def _check_parent(path: Path) -> None:
    """The nearest existing ancestor of ``path`` must be a writable folder (missing ones are created later)."""
    for ancestor in path.parents:
        if os.path.lexists(ancestor) and not os.path.exists(ancestor):
            raise OutputPathError(path, f"{str(ancestor)!r} on the way is a broken symbolic link")
        if not os.path.exists(ancestor):
            continue
        if not os.path.isdir(ancestor):
            raise OutputPathError(path, f"{str(ancestor)!r} is a file, not a folder")
        if not os.access(ancestor, os.W_OK | os.X_OK):
            raise OutputPathError(path, f"the folder {str(ancestor)!r} cannot be written to")
        return


def _existing_kind(path: Path) -> str | None:
    """None when nothing is at ``path``; else ``link``, ``folder``, ``file`` or ``special``."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        return None  # a parent is a file: reported by _check_parent
    if stat.S_ISLNK(info.st_mode):
        return "link"
    if stat.S_ISDIR(info.st_mode):
        return "folder"
    if stat.S_ISREG(info.st_mode):
        return "file"
    return "special"


def check_output(path: os.PathLike[str] | str) -> Path:
    """Refuse (``OutputPathError``) an output *file* path the command must not write; return it as a Path."""
    target = Path(path)
    if str(path) == "":
        raise OutputPathError(path, "the path is empty")
    kind = _existing_kind(target)
    if kind == "link":
        raise OutputPathError(target, "it is a symbolic link (links are never followed or replaced); give a new path")
    if kind == "folder":
        raise OutputPathError(target, "it is a folder; give the path of a file")
    if kind == "special":
        raise OutputPathError(target, "it is not a regular file (a device, a pipe or a socket)")
    _check_parent(target)
    return target


def check_output_folder(path: os.PathLike[str] | str) -> Path:
    """Refuse (``OutputPathError``) an output *folder* path the command must not write into; return it."""
    target = Path(path)
    if str(path) == "":
        raise OutputPathError(path, "the path is empty")
    kind = _existing_kind(target)
    if kind == "link":
        raise OutputPathError(target, "it is a symbolic link (links are never followed); give a folder")
    if kind in ("file", "special"):
        raise OutputPathError(target, "it is a file, not a folder; give a folder")
    if kind == "folder":
        if not os.access(target, os.W_OK | os.X_OK):
            raise OutputPathError(target, "the folder cannot be written to")
        return target
    _check_parent(target)
    return target


def check_outputs(*paths: os.PathLike[str] | str | None) -> list[Path]:
    """``check_output`` on every given file path (None skipped); two outputs may not be the same file."""
    checked = [check_output(p) for p in paths if p is not None]
    seen: dict[str, Path] = {}
    for p in checked:
        key = os.path.normcase(os.path.abspath(p))
        if key in seen:
            raise OutputPathError(p, "it is given for two outputs")
        seen[key] = p
    return checked


def _encoded(content: Content) -> bytes:
    return content.encode("utf-8") if isinstance(content, str) else content


def _fsync_folder(folder: Path) -> None:
    """Make a rename durable (best effort: some systems cannot open a folder)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _stage(target: Path, content: Content) -> Path:
    """Write ``content`` to a fresh temporary file beside ``target``; return its path (removed on failure)."""
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(_encoded(content))
            fh.flush()
            os.fchmod(fh.fileno(), FILE_MODE)
            os.fsync(fh.fileno())
    except BaseException:
        _remove(tmp)
        raise
    return tmp


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def _keep_previous(target: Path) -> Path | None:
    """A hard link to the file now at ``target`` (to put it back if the group fails), or None if none."""
    if not os.path.lexists(target):
        return None
    for _ in range(100):
        backup = target.with_name(f".{target.name}.{secrets.token_hex(6)}.old")
        try:
            os.link(target, backup, follow_symlinks=False)
        except FileExistsError:
            continue
        except OSError:  # no hard links on this file system: keep a copy instead
            try:
                with open(target, "rb") as src, open(backup, "xb") as dst:
                    shutil.copyfileobj(src, dst)
            except FileExistsError:
                continue
            except BaseException:
                _remove(backup)
                raise
        return backup
    raise OSError(f"could not keep the previous version of {target}")


@dataclass
class _Staged:
    target: Path
    tmp: Path
    previous: Path | None = None
    moved: bool = False


def write_files(files: Sequence[tuple[os.PathLike[str] | str, Content]]) -> list[Path]:
    """Write every ``(path, content)`` whole, all or none (see the module docstring); return the paths.

    Text is written as UTF-8. Each path is checked with ``check_output`` (and no two may be the
    same file) before anything is staged and again before anything is moved into place.
    """
    targets = check_outputs(*(p for p, _ in files))
    staged: list[_Staged] = []
    try:
        for target, (_, content) in zip(targets, files, strict=True):
            target.parent.mkdir(parents=True, exist_ok=True)
            staged.append(_Staged(target, _stage(target, content)))
        check_outputs(*targets)  # nothing turned into a link, a folder or a device meanwhile
        group = len(staged) > 1
        for item in staged:
            if group:
                item.previous = _keep_previous(item.target)
            os.replace(item.tmp, item.target)
            item.moved = True
    except BaseException:
        for item in reversed(staged):
            if item.moved:
                if item.previous is not None:
                    with contextlib.suppress(OSError):
                        os.replace(item.previous, item.target)
                else:
                    _remove(item.target)
            else:
                _remove(item.tmp)
            if item.previous is not None:
                _remove(item.previous)
        raise
    for item in staged:
        if item.previous is not None:
            _remove(item.previous)
    for folder in {item.target.parent for item in staged}:
        _fsync_folder(folder)
    return targets


def write_file(path: os.PathLike[str] | str, content: Content) -> Path:
    """Write one file whole and atomically (see ``write_files``)."""
    return write_files([(path, content)])[0]


def write_folder(path: os.PathLike[str] | str, files: Mapping[str, Content]) -> list[Path]:
    """Write ``name → content`` into the folder ``path``, all or none; return the files' paths.

    A missing folder is staged complete as a temporary sibling and renamed into place; in an
    existing folder the named files are replaced as one group and any other file is left alone.
    """
    folder = check_output_folder(path)
    for name in files:
        if Path(name).name != name or name in ("", ".", ".."):
            raise ValueError(f"not a plain file name: {name!r}")
    if os.path.isdir(folder):
        return write_files([(folder / name, content) for name, content in files.items()])
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.", suffix=".part"))
    try:
        for name, content in files.items():
            fd = os.open(staging / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
            with os.fdopen(fd, "wb") as fh:
                fh.write(_encoded(content))
                fh.flush()
                os.fsync(fh.fileno())
        os.chmod(staging, FOLDER_MODE)
        if os.path.lexists(folder):  # created meanwhile: refuse rather than guess
            raise OutputPathError(folder, "it appeared while the output was being prepared")
        os.rename(staging, folder)
    except BaseException:
        for child in staging.iterdir() if staging.is_dir() else ():
            _remove(child)
        with contextlib.suppress(OSError):
            os.rmdir(staging)
        raise
    _fsync_folder(folder.parent)
    return [folder / name for name in files]
