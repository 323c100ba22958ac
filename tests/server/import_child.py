"""A task import in a process of its own, and that process's peak memory, for the memory tests
(tests/server/test_hostile_imports.py):

    run = import_in_child(path, db_url, "hostile")   # {"error", "added", "seconds", "peak_mb"}

Each import runs in a child forked from one process that has loaded the importers once
(multiprocessing's forkserver, preloading this module); a fresh interpreter per import spent
most of a second starting. The peak is the child's own: a forked child's VmHWM starts at its
size when forked (the loaded importers, as a fresh interpreter's once it has imported them),
not at the high-water mark of the process it came from, so a normal and a hostile file are
measured alike.
"""

from __future__ import annotations

import inspect
import multiprocessing
import time
import traceback
from pathlib import Path

from app.taskfile import TaskFileError
from sync.server import db
from sync.server.work.imports import import_file


def peak_mb() -> float:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# The same function as source, for children started with ``python -c`` (test_hostile_bundles).
PEAK_MB = inspect.getsource(peak_mb)

_context = None


def import_in_child(path: Path, db_url: str, project: str) -> dict:
    """Import ``path`` in a process of its own: its error (a TaskFileError's text; anything
    else fails the test with its traceback), tasks added, seconds and peak RSS in MB."""
    global _context
    if _context is None:
        _context = multiprocessing.get_context("forkserver")
        _context.set_forkserver_preload([__name__])
    answers, send = _context.Pipe(duplex=False)
    child = _context.Process(target=_import, args=(send, str(path), db_url, project))
    child.start()
    send.close()
    try:
        answer = answers.recv()
    except EOFError:
        answer = {"crash": f"the child ended ({child.exitcode}) without an answer"}
    finally:
        answers.close()
        child.join(60)
    assert "crash" not in answer, answer["crash"][-3000:]
    return answer


def _import(send, path: str, url: str, project: str) -> None:
    engine = db.create_engine(url)
    try:
        start, error, added = time.perf_counter(), None, 0
        try:
            added = import_file(engine, Path(path), project_id=project).added
        except TaskFileError as exc:
            error = str(exc)
        send.send({"error": error, "added": added, "seconds": time.perf_counter() - start,
                   "peak_mb": peak_mb()})
    except BaseException:
        send.send({"crash": traceback.format_exc()})
    finally:
        engine.dispose()
        send.close()
