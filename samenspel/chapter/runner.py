"""Generate municipality chapters: run `notebooks/gemeente.ipynb` with papermill.

Papermill is not thread-safe and a kernel start costs about a second, so chapters run in
worker *processes*, each of which starts one kernel and reuses it for all its chapters (the
kernel is passed to papermill's nbclient engine). The heavy data work is done once, before the
workers start (samenspel.data.dataset). A chapter is written to a temporary file and moved into
`book/gemeenten/` only when it succeeded; a chapter whose inputs did not change is skipped.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing as mp
import os
import re
import signal
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

import samenspel
from samenspel import paths
from samenspel.data import dataset

TEMPLATE = paths.NOTEBOOK_DIR / "gemeente.ipynb"
KERNEL_STAGGER = 0.4  # seconds between kernel starts, against port races
# No IPython history: a chapter kernel runs 15 cells per chapter for hundreds of chapters, and
# nobody reads them back; the history database costs a write per cell.
KERNEL_ARGUMENTS = ["--HistoryManager.enabled=False"]
# Temporary files carry the pid of the process that made them, so that a later run can tell
# the leftovers of a killed run from the files of a run that is still going.
KERNEL_PREFIX = "samenspel-kernel-"
# a chapter being written (`.GM0034-PID-x.ipynb`), or a chapter's CSV (`.GM0034.csv-PID-x.tmp`,
# samenspel.files.atomic_write, in the kernel)
LEFTOVER_CHAPTER = re.compile(r"^\.GM\d{4}(?:-|\.csv-)(\d+)-[^-]*\.(?:ipynb|tmp)$")
LEFTOVER_KERNEL = re.compile(rf"^{KERNEL_PREFIX}(\d+)-")


@dataclass
class Job:
    code: str
    naam: str
    provincie: str | None
    inwoners: float | None
    inwoners_jaar: int | None
    parameters: dict
    inputs: str  # hash of everything the chapter depends on


@dataclass
class Result:
    written: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)  # seconds per chapter, in its worker

    def record(self, code: str, error: str | None, seconds: float | None = None) -> None:
        if seconds is not None:
            self.timings[code] = seconds
        if error:
            self.failures[code] = error
        else:
            self.written.append(code)


def chapter_path(code: str) -> Path:
    return paths.chapter_dir() / f"{code}.ipynb"


PACKAGE_FILES = (".py", ".html", ".md", ".json", ".yml")  # code, templates, schemas


def _package_hash() -> str:
    """Changes when the package's code, templates or schemas change, or a case study."""
    h = hashlib.sha256()
    package = Path(samenspel.__file__).parent
    for f in sorted(p for p in package.rglob("*") if p.suffix in PACKAGE_FILES and "__pycache__" not in p.parts):
        h.update(str(f.relative_to(package)).encode() + f.read_bytes())
    for f in sorted(paths.CASESTUDY_DIR.glob("*.md")):
        h.update(f.name.encode() + f.read_bytes())
    return h.hexdigest()


def _inputs_hash(params: dict, data_fp: str, package: str, code: str | None = None) -> str:
    h = hashlib.sha256()
    h.update(TEMPLATE.read_bytes())
    goals = paths.doelen_dir() / f"{code}.yml" if code else None
    if goals is not None and goals.is_file():  # the council's goals are part of the chapter
        h.update(goals.read_bytes())
    h.update(data_fp.encode())
    h.update(package.encode())
    h.update(json.dumps(params, sort_keys=True).encode())
    return h.hexdigest()[:20]


def existing_inputs(code: str) -> str | None:
    path = chapter_path(code)
    if not path.is_file():
        return None
    try:
        meta = json.loads(path.read_text("utf-8"))["metadata"].get("samenspel", {})
    except (json.JSONDecodeError, KeyError, OSError):
        return None
    return meta.get("inputs")


def plan(queries, year: int | None = None, vergelijk_met=None, methode: str = "tweelingen") -> list[Job]:
    """Resolve municipalities (raising the Dutch error for an unknown or dissolved one)."""
    data = dataset.load()
    year, frame = dataset.municipalities(data, year)
    if queries == "alle":
        codes = list(frame["code"])
    else:
        codes = list(dict.fromkeys(dataset.lookup(data, q, year).code for q in queries))
    peer_codes = [dataset.lookup(data, m, year).code for m in vergelijk_met] if vergelijk_met else None
    package = _package_hash()
    frame = frame.set_index("code")
    jobs = []
    for code in codes:
        params = {"gemeente": code, "jaar": year, "vergelijk_met": peer_codes, "methode": methode}
        row = frame.loc[code]
        jobs.append(
            Job(
                code=code,
                naam=row["naam"],
                provincie=row["provincie"],
                inwoners=None if pd.isna(row["inwoners"]) else float(row["inwoners"]),
                inwoners_jaar=None if pd.isna(row["inwoners_jaar"]) else int(row["inwoners_jaar"]),
                parameters=params,
                inputs=_inputs_hash(params, data["fingerprint"], package, code),
            )
        )
    return jobs


# --------------------------------------------------------------------------- worker side

_KM = None


def _start_kernel(index: int = 0) -> None:
    """Start this process's kernel (the `index`-th worker waits its turn, against port races)
    and keep it for all chapters."""
    global _KM
    from jupyter_client.manager import KernelManager

    time.sleep(KERNEL_STAGGER * index)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(paths.ROOT), env.get("PYTHONPATH")]))
    env[dataset.FETCH_ENV] = "0"  # the tables were fetched by the runner (plan), once
    km = KernelManager(kernel_name="python3", transport="ipc")
    km.connection_file = tempfile.mktemp(prefix=f"{KERNEL_PREFIX}{os.getpid()}-", suffix=".json")
    km.ip = km.connection_file[:-5]  # ipc endpoints are files next to the connection file
    km.start_kernel(cwd=str(paths.ROOT), env=env, extra_arguments=KERNEL_ARGUMENTS)
    _KM = km
    # Shut the kernel down when the process exits (an executor's worker: run_in_worker); if
    # the process is killed, ipykernel's parent poller ends the kernel with it. Registered for
    # the exit only, not for when `km` is collected: a collected old manager must not stop the
    # kernel that _KM holds by then.
    from multiprocessing.util import Finalize

    Finalize(None, _stop_kernel, exitpriority=16)


_STOPPING = False


def _exit_on_sigterm(signum, frame):
    global _STOPPING
    _STOPPING = True
    raise SystemExit(128 + signum)  # unwinds: temporary files removed, kernel shut down


def _interrupt_on_sigterm(signum, frame):
    raise KeyboardInterrupt


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_leftovers() -> list[Path]:
    """Remove what a killed run left behind: temporary chapters in the chapter folder and
    kernel connection files in the temporary folder, of processes that no longer run."""
    removed = []
    places = [(paths.chapter_dir(), LEFTOVER_CHAPTER), (Path(tempfile.gettempdir()), LEFTOVER_KERNEL)]
    for folder, pattern in places:
        if not folder.is_dir():
            continue
        for f in folder.iterdir():
            m = pattern.match(f.name)
            if m and int(m.group(1)) != os.getpid() and not _pid_alive(int(m.group(1))):
                f.unlink(missing_ok=True)
                removed.append(f)
    return removed


def _stop_kernel() -> None:
    global _KM
    if _KM is not None:
        try:
            kc = getattr(_KM, "_samenspel_client", None)
            if kc is not None:
                _KM._samenspel_client = None  # the client refers back to its manager
                kc.stop_channels()
            _KM.shutdown_kernel(now=True)
        except Exception:
            pass
        _KM = None


ENGINE = "samenspel"


def _kernel_client(km, timeout: float):
    """The client of this worker's kernel, made once and kept with the kernel manager (so it
    can never outlive its kernel). nbclient makes a new client per notebook, and waiting for
    a new client to be ready costs 0.2 s: it listens until the kernel's output channel has
    been quiet that long. An asynchronous client, as nbclient makes for itself: with a blocking
    one, nbclient's wait for output would block its check that the kernel is still alive, and
    a chapter whose kernel died would wait forever."""
    from jupyter_client.asynchronous import AsyncKernelClient
    from jupyter_core.utils import run_sync

    kc = getattr(km, "_samenspel_client", None)
    if kc is None or not kc.channels_running:
        kc = AsyncKernelClient(**km.get_connection_info(session=True), connection_file=km.connection_file, parent=km)
        kc.start_channels()
        run_sync(kc.wait_for_ready)(timeout=timeout)
        kc.allow_stdin = False
        km._samenspel_client = kc
    return kc


def _register_engine() -> None:
    """papermill's nbclient engine, but with this worker's kernel client reused from one
    chapter to the next (a chapter is still a papermill run: parameters injected, cells
    executed by nbclient, errors reported as papermill's). Without a kernel manager it is
    papermill's own engine."""
    from papermill.engines import papermill_engines

    if ENGINE in papermill_engines._engines:
        return
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine
    from papermill.utils import merge_kwargs, remove_args

    class ReusedClientEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(
            cls, nb_man, kernel_name, log_output=False, start_timeout=60, execution_timeout=None, **kwargs
        ):
            km = kwargs.get("km")
            if km is None or not km.has_kernel:
                return super().execute_managed_notebook(
                    nb_man,
                    kernel_name,
                    log_output=log_output,
                    start_timeout=start_timeout,
                    execution_timeout=execution_timeout,
                    **kwargs,
                )
            # as NBClientEngine does, then the kept client
            timeout = execution_timeout or kwargs.get("timeout")
            kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
            final = merge_kwargs(
                kwargs, timeout=timeout, startup_timeout=start_timeout, kernel_name=kernel_name, log_output=log_output
            )
            client = PapermillNotebookClient(nb_man, **final)
            client.kc = _kernel_client(km, start_timeout)
            return client.execute()

    papermill_engines.register(ENGINE, ReusedClientEngine)


def execute(job: Job) -> tuple[str, str | None, float]:
    """Run one chapter; returns (code, error message or None, seconds)."""
    start = time.perf_counter()
    code, error = _execute(job)
    return code, error, time.perf_counter() - start


KERNEL_DIED = (
    "De Python-kernel stopte tijdens dit hoofdstuk (bijvoorbeeld door te weinig geheugen of "
    "doordat hij werd afgebroken); er is niets geschreven. Het volgende hoofdstuk krijgt een nieuwe kernel."
)


def _revive_kernel() -> None:
    """A worker's kernel that died (killed, out of memory) is started anew for the next
    chapter, with a new client: one chapter that takes its kernel down must not fail the rest
    of the worker's chapters."""
    if _KM is None or _KM.is_alive():
        return
    _stop_kernel()
    _start_kernel()


def _execute(job: Job) -> tuple[str, str | None]:
    import nbformat
    import papermill as pm
    from nbclient.exceptions import DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    _register_engine()
    _revive_kernel()
    paths.chapter_dir().mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{job.code}-{os.getpid()}-", suffix=".ipynb", dir=paths.chapter_dir())
    os.close(fd)
    try:
        kwargs = {"km": _KM} if _KM is not None else {}
        nb = pm.execute_notebook(
            str(TEMPLATE),
            None,  # papermill would write the notebook twice (before and after); finish() writes it once
            parameters=job.parameters,
            kernel_name="python3",
            progress_bar=False,
            request_save_on_cell_execute=False,
            engine_name=ENGINE,
            **kwargs,
        )
        finish(nb, job)
        nbformat.write(nb, tmp)
        os.chmod(tmp, 0o644)
        if not same_chapter(chapter_path(job.code), Path(tmp)):
            os.replace(tmp, chapter_path(job.code))
        # else: the chapter says exactly what it said: keep the file (and its mtime), so that
        # the book build does not read it again
        return job.code, None
    except PapermillExecutionError as exc:
        return job.code, f"{exc.ename}: {exc.evalue}"
    except DeadKernelError:
        return job.code, KERNEL_DIED
    except Exception as exc:  # a failing chapter must not stop the others
        return job.code, f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}"
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def run_in_worker(job: Job) -> tuple[str, str | None, float]:
    """The task for any executor (concurrent.futures, Dask, Ray): start this process's kernel
    on first use, keep it for the process's later chapters, run one chapter."""
    if _KM is None:
        _start_kernel()
    return execute(job)


# plotly gives every figure's div a random id; two chapters that differ only there are the same
_RANDOM_ID = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def same_chapter(old: Path, new: Path) -> bool:
    """True when `old` exists and differs from `new` only in plotly's random figure ids."""
    try:
        a = old.read_bytes()
    except OSError:
        return False
    b = new.read_bytes()
    return a == b or _RANDOM_ID.sub(b"", a) == _RANDOM_ID.sub(b"", b)


def finish(nb, job: Job) -> None:
    """Post-process an executed chapter: hide the injected parameters, add the title and the
    metadata the book reads."""
    import nbformat

    count = 0
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)  # timings: they would make every run a new file
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code" and cell.get("execution_count") is not None:
            # the worker's kernel counts on over all its chapters: number the cells as a
            # fresh kernel would, so that the same chapter is the same file whichever worker ran it
            count += 1
            cell.execution_count = count
            for out in cell.get("outputs", []):
                if "execution_count" in out:
                    out["execution_count"] = count
        tags = cell.metadata.setdefault("tags", [])
        if "injected-parameters" in tags:
            cell.id = "injected-parameters"  # papermill gives it a random id: same chapter, same file
            if "remove-cell" not in tags:
                tags.append("remove-cell")
    title = nbformat.v4.new_markdown_cell(f"# {job.naam}")
    title.id = "titel"
    nb.cells.insert(0, title)
    nb.metadata["samenspel"] = {
        "code": job.code,
        "naam": job.naam,
        "provincie": job.provincie,
        "inwoners": None if job.inwoners is None else int(job.inwoners),
        "inwoners_jaar": job.inwoners_jaar,
        "jaar": job.parameters["jaar"],
        "inputs": job.inputs,
        "versie": samenspel.__version__,
    }
    nb.metadata.pop("papermill", None)  # timings and paths: noise in the published page source


# --------------------------------------------------------------------------- parent side


def run_chapters(
    codes="alle",
    jobs: int | None = None,
    year: int | None = None,
    vergelijk_met=None,
    methode: str = "tweelingen",
    force: bool = False,
    progress: bool = True,
    executor=None,
) -> Result:
    """Generate chapters in parallel processes; unchanged chapters are skipped.

    `executor`: any object with concurrent.futures' `submit` (a ProcessPoolExecutor, a Dask
    `distributed.Client`, ...) to run the chapters on instead of the built-in pool; each task
    is `run_in_worker(job)`. The caller owns it (and shuts it down); `jobs` is then ignored."""
    start = time.perf_counter()
    planned = plan(codes, year, vergelijk_met, methode)
    result = Result()
    todo = []
    for job in planned:
        if not force and existing_inputs(job.code) == job.inputs:
            result.skipped.append(job.code)
        else:
            todo.append(job)
    workers = max(1, min(jobs or os.cpu_count() or 1, len(todo) or 1))
    remove_leftovers()
    bar = _progress(len(todo), progress)
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _interrupt_on_sigterm) if in_main else None
    try:
        if todo and executor is not None:
            _run_executor(todo, executor, result, bar)
        elif todo and workers == 1:
            _run_here(todo, result, bar)
        elif todo:
            _run_pool(todo, workers, result, bar)
    finally:
        if in_main:
            signal.signal(signal.SIGTERM, previous)
        remove_leftovers()  # what a worker stopped mid-start could not clean up itself
        bar.close()
    result.seconds = time.perf_counter() - start
    return result


def _run_executor(todo: list[Job], executor, result: Result, bar) -> None:
    from concurrent.futures import as_completed

    futures = [executor.submit(run_in_worker, job) for job in todo]
    try:
        for future in as_completed(futures):
            result.record(*future.result())
            bar.update(1)
    except BaseException:
        for future in futures:
            future.cancel()
        raise


def _run_here(todo: list[Job], result: Result, bar) -> None:
    """One worker: run in this process and skip the cost of spawning one."""
    _start_kernel()
    try:
        for job in todo:
            result.record(*execute(job))
            bar.update(1)
    finally:
        _stop_kernel()


WORKER_STOPPED = (
    "Het werkproces van dit hoofdstuk stopte onverwacht (bijvoorbeeld door te weinig geheugen); "
    "er is niets geschreven. De andere hoofdstukken gaan door met een nieuw werkproces."
)
KERNEL_FAILED = "De Python-kernel voor de hoofdstukken kon niet starten; er is niets geschreven"
STOP_WAIT = 10.0  # seconds a stopped worker gets to remove its files and stop its kernel


def _worker_main(conn, index: int) -> None:
    """A chapter worker: one kernel for all its chapters; takes a job from `conn`, sends the
    outcome back, until it gets None.

    Ctrl-C reaches the whole process group, but stopping is the parent's decision: a worker
    ignores SIGINT and is stopped by the parent with SIGTERM, which unwinds it (the temporary
    chapter removed, the kernel shut down). A worker that died of Ctrl-C by itself would leave
    its kernel running and its files behind."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        run = execute
        try:
            _start_kernel(index)
        except Exception as exc:  # every chapter says why, instead of workers dying one by one
            failed = f"{KERNEL_FAILED} ({type(exc).__name__}: {exc})"

            def run(job):
                return job.code, failed, 0.0

        while (job := conn.recv()) is not None:
            conn.send(run(job))
    except (EOFError, OSError):  # the parent is gone
        pass
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # the stop itself is not interrupted
        if _STOPPING:
            # stopped by the parent (Ctrl-C), which says so: what the interrupted chapter's
            # machinery prints while it dies ("Kernel died", ...) is noise to the user
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 2)
        _stop_kernel()


def _run_pool(todo: list[Job], workers: int, result: Result, bar) -> None:
    """Worker processes, each with one kernel for all its chapters, each fed through its own
    pipe. Not multiprocessing.Pool: its workers share one task queue behind a lock, and a
    worker stopped while it waits for a task can leave that lock taken, so that stopping the
    pool (Ctrl-C) hangs for ever. Here the parent holds no lock a worker can take, stops the
    workers itself, and replaces a worker that died."""
    from multiprocessing.connection import wait

    ctx = mp.get_context("spawn")
    pending = list(reversed(todo))
    busy = {}  # parent end of a worker's pipe -> (process, job it runs)

    def start(index: int, job: Job) -> None:
        mine, theirs = ctx.Pipe()
        proc = ctx.Process(target=_worker_main, args=(theirs, index), daemon=True, name=f"samenspel-{index}")
        proc.start()
        theirs.close()
        mine.send(job)  # waits in the pipe until the worker's kernel is up
        busy[mine] = (proc, job)

    idle = []
    done = False
    try:
        for index in range(min(workers, len(pending))):
            start(index, pending.pop())
        while busy:
            for conn in wait(list(busy)):
                proc, job = busy.pop(conn)
                try:
                    outcome = conn.recv()
                except (EOFError, OSError):  # the worker died (killed, out of memory)
                    conn.close()
                    proc.join()
                    result.record(job.code, WORKER_STOPPED)
                    bar.update(1)
                    if pending:
                        start(0, pending.pop())
                    continue
                result.record(*outcome)
                bar.update(1)
                if pending:
                    job = pending.pop()
                    conn.send(job)
                    busy[conn] = (proc, job)
                else:
                    conn.send(None)
                    idle.append((proc, conn))
        done = True
    finally:
        # all chapters done: the workers got None and stop by themselves; else (Ctrl-C,
        # SIGTERM, an error here) they are stopped now
        _stop_workers([proc for proc, _ in idle] + [proc for proc, _ in busy.values()], STOP_WAIT if done else 0.0)
        for conn in [c for _, c in idle] + list(busy):
            conn.close()


def _stop_workers(procs, grace: float) -> None:
    """Give the workers `grace` seconds to end by themselves, then SIGTERM to those still
    running and STOP_WAIT seconds to clean up, then SIGKILL."""
    _join_all(procs, grace)
    for proc in procs:
        if proc.is_alive():
            proc.terminate()
    _join_all(procs, STOP_WAIT)
    for proc in procs:
        if proc.is_alive():
            proc.kill()
            proc.join()


def _join_all(procs, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    for proc in procs:
        proc.join(max(0.0, deadline - time.monotonic()))


class _NoBar:
    def update(self, n):
        pass

    def close(self):
        pass


def _progress(total: int, enabled: bool):
    if not enabled or total == 0:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, desc="Hoofdstukken", unit="hoofdstuk", file=sys.stderr)
