"""Writing files so that a reader never sees half a file: a temporary file, then a rename."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


@contextlib.contextmanager
def atomic_write(path: Path, mode: str = "w", **open_kwargs):
    """Open a temporary file next to `path`; on success it replaces `path` (mode 0644).

    The temporary file's name carries this process's pid (`.name-PID-random.tmp`), so that
    what a killed process left behind can be told from what a running one is writing."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-{os.getpid()}-", suffix=".tmp")
    try:
        with os.fdopen(fd, mode, **open_kwargs) as fh:
            yield fh
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_if_changed(path: Path, text: str) -> bool:
    """Write `text` to `path` unless it already holds exactly that. True if written."""
    path = Path(path)
    data = text.encode("utf-8")
    if path.is_file() and path.read_bytes() == data:
        return False
    with atomic_write(path, "wb") as fh:
        fh.write(data)
    return True
