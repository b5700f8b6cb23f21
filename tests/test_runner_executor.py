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
