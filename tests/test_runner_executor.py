"""The chapter runner's worker pool is replaceable: any executor with concurrent.futures'
`submit` runs the chapters (the way to Dask or Ray, see the README)."""

import json
import multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor

from samenspel.chapter import runner


class CountingExecutor(ProcessPoolExecutor):
    def __init__(self):
        super().__init__(max_workers=1, mp_context=mp.get_context("spawn"))
        self.submitted = []

    def submit(self, fn, /, *args, **kwargs):
        self.submitted.append(args[0].code)
        return super().submit(fn, *args, **kwargs)


def test_a_passed_executor_runs_the_chapters(use_snapshot, tmp_path, monkeypatch):
    monkeypatch.setenv("SAMENSPEL_CHAPTER_DIR", str(tmp_path / "gemeenten"))
    with CountingExecutor() as pool:
        result = runner.run_chapters(["Vlieland", "Schiermonnikoog"], force=True, progress=False, executor=pool)
    assert not result.failures, result.failures
    assert sorted(pool.submitted) == sorted(result.written) == ["GM0088", "GM0096"]
    for code in result.written:
        nb = json.loads(runner.chapter_path(code).read_text("utf-8"))
        assert nb["metadata"]["samenspel"]["code"] == code
        assert any(c.get("outputs") for c in nb["cells"])


def test_a_rerun_that_says_the_same_keeps_the_file(use_snapshot, tmp_path, monkeypatch):
    """A chapter made again with the same content is not rewritten (its mtime stays, so the
    book build does not read it again); a changed one is."""
    monkeypatch.setenv("SAMENSPEL_CHAPTER_DIR", str(tmp_path / "gemeenten"))
    first = runner.run_chapters(["Vlieland"], jobs=1, force=True, progress=False)
    assert first.written == ["GM0096"], first.failures
    path = runner.chapter_path("GM0096")
    before = path.stat().st_mtime_ns
    nb = json.loads(path.read_text("utf-8"))
    assert all("papermill" not in c["metadata"] and "execution" not in c["metadata"] for c in nb["cells"])
    again = runner.run_chapters(["Vlieland"], jobs=1, force=True, progress=False)
    assert again.written == ["GM0096"] and path.stat().st_mtime_ns == before
    assert not list(path.parent.glob(".GM*"))  # no temporary file left
    path.write_text(path.read_text("utf-8").replace("Vlieland", "Vlieland (oud)"), "utf-8")
    runner.run_chapters(["Vlieland"], jobs=1, force=True, progress=False)
    assert "Vlieland (oud)" not in path.read_text("utf-8")


def test_a_chapter_is_the_same_file_whichever_place_it_has_in_a_worker(use_snapshot, tmp_path, monkeypatch):
    """A worker keeps its kernel and kernel client from one chapter to the next; a chapter
    made after another one in the same worker is still the same file as one made alone
    (cells numbered as in a fresh kernel, no output of the chapter before)."""
    monkeypatch.setenv("SAMENSPEL_CHAPTER_DIR", str(tmp_path / "gemeenten"))
    alone = runner.run_chapters(["Vlieland"], jobs=1, force=True, progress=False)
    assert alone.written == ["GM0096"], alone.failures
    path = runner.chapter_path("GM0096")
    first = path.read_bytes()
    after = runner.run_chapters(["Schiermonnikoog", "Vlieland"], jobs=1, force=True, progress=False)
    assert sorted(after.written) == ["GM0088", "GM0096"], after.failures
    assert runner.same_chapter(path, path) and path.read_bytes() == first
    nb = json.loads(first)
    counts = [c["execution_count"] for c in nb["cells"] if c["cell_type"] == "code"]
    assert counts == list(range(1, len(counts) + 1))
    assert set(after.timings) == {"GM0088", "GM0096"} and all(s > 0 for s in after.timings.values())


def _kill_kernel() -> None:
    import os
    import signal
    import time

    os.kill(runner._KM.provisioner.pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while runner._KM.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)


def test_a_worker_whose_kernel_died_starts_a_new_one_for_the_next_chapter(use_snapshot, tmp_path, monkeypatch):
    monkeypatch.setenv("SAMENSPEL_CHAPTER_DIR", str(tmp_path / "gemeenten"))
    first, second, third = runner.plan(["Vlieland", "Schiermonnikoog", "Ameland"])
    runner._start_kernel()
    try:
        assert runner.execute(first)[1] is None
        _kill_kernel()  # between two chapters
        assert runner.execute(second)[1] is None and runner.chapter_path(second.code).is_file()

        kept = runner._kernel_client

        def client_then_kill(km, timeout):  # the kernel dies while the chapter runs
            kc = kept(km, timeout)
            _kill_kernel()
            return kc

        monkeypatch.setattr(runner, "_kernel_client", client_then_kill)
        code, error, _ = runner.execute(third)
        assert error == runner.KERNEL_DIED and not runner.chapter_path(third.code).exists()
        assert not list(runner.chapter_path(third.code).parent.glob(".GM*"))  # no temporary file left
        monkeypatch.setattr(runner, "_kernel_client", kept)
        assert runner.execute(third)[1] is None
    finally:
        runner._stop_kernel()
