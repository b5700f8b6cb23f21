"""A chapter batch that is stopped (SIGTERM, or Ctrl-C to the whole process group) leaves no
temporary chapters and no kernel connection files behind; a later run removes what a killed
run left."""

import os
import signal
import subprocess
import sys
import time

import pytest

from samenspel.chapter import runner
from samenspel.paths import ROOT


def _wait_for(predicate, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("how", ["sigterm", "ctrl-c"])
def test_a_stopped_batch_leaves_nothing_behind(tmp_path, snapshot_dir, how):
    chapters = tmp_path / "gemeenten"
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = dict(
        os.environ,
        SAMENSPEL_SNAPSHOT=str(snapshot_dir),
        SAMENSPEL_CHAPTER_DIR=str(chapters),
        SAMENSPEL_CACHE=str(tmp_path / "cache"),
        TMPDIR=str(tmp),
    )
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "samenspel",
            "hoofdstuk",
            "Almere",
            "Leiden",
            "Amsterdam",
            "Groningen",
            "Utrecht",
            "Zwolle",
            "-j",
            "2",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        started = _wait_for(lambda: any(chapters.glob(".GM*.ipynb")), 120)
        assert started, proc.stderr.read().decode()[-2000:] if proc.poll() is not None else "no chapter started"
        if how == "sigterm":
            proc.send_signal(signal.SIGTERM)
        else:
            os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode != 0
    # workers and kernels have ended: nothing of theirs is left
    assert _wait_for(lambda: not list(chapters.glob(".GM*")) and not list(tmp.glob("samenspel-kernel-*")), 20), (
        list(chapters.iterdir()),
        list(tmp.iterdir()),
    )


def test_a_later_run_removes_leftovers_of_a_killed_one(tmp_path, monkeypatch):
    chapters = tmp_path / "gemeenten"
    chapters.mkdir()
    monkeypatch.setenv("SAMENSPEL_CHAPTER_DIR", str(chapters))
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # read TMPDIR again
    dead = subprocess.Popen(["true"])
    dead.wait()
    alive = os.getppid()
    files = {
        "dead_chapter": chapters / f".GM0034-{dead.pid}-abc.ipynb",
        "alive_chapter": chapters / f".GM0034-{alive}-abc.ipynb",
        "dead_csv": chapters / f".GM0034.csv-{dead.pid}-k3j_x9.tmp",  # a kernel's atomic_write
        "alive_csv": chapters / f".GM0034.csv-{alive}-k3j_x9.tmp",
        "dead_kernel": tmp_path / f"{runner.KERNEL_PREFIX}{dead.pid}-x.json",
        "dead_ipc": tmp_path / f"{runner.KERNEL_PREFIX}{dead.pid}-x-1",
        "alive_kernel": tmp_path / f"{runner.KERNEL_PREFIX}{alive}-x.json",
        "chapter": chapters / "GM0034.ipynb",
    }
    for f in files.values():
        f.write_text("{}")
    removed = set(runner.remove_leftovers())
    assert removed == {files["dead_chapter"], files["dead_csv"], files["dead_kernel"], files["dead_ipc"]}
    assert all(f.exists() for k, f in files.items() if not k.startswith("dead"))


def test_a_worker_that_dies_fails_its_chapter_and_a_new_one_takes_the_rest(use_snapshot, tmp_path, monkeypatch):
    """A worker process killed mid-chapter (out of memory, killed by hand) costs that chapter,
    with a Dutch message; a new worker makes the remaining chapters; nothing is left behind."""
    import threading

    chapters = tmp_path / "gemeenten"
    monkeypatch.setenv("SAMENSPEL_CHAPTER_DIR", str(chapters))
    names = ["Vlieland", "Schiermonnikoog", "Ameland", "Terschelling", "Rozendaal", "Renswoude"]
    outcome = {}
    run = threading.Thread(
        target=lambda: outcome.update(result=runner.run_chapters(names, jobs=2, force=True, progress=False))
    )
    run.start()
    victim = {}

    def a_chapter_being_written():
        for f in chapters.glob(".GM*.ipynb") if chapters.is_dir() else []:
            m = runner.LEFTOVER_CHAPTER.match(f.name)
            if m:
                victim.update(code=f.name[1:7], pid=int(m.group(1)))
                return True
        return False

    try:
        assert _wait_for(a_chapter_being_written, 120), "no chapter started"
        os.kill(victim["pid"], signal.SIGKILL)
    finally:
        run.join(300)
    result = outcome["result"]
    assert result.failures == {victim["code"]: runner.WORKER_STOPPED}
    assert len(result.written) == len(names) - 1 and victim["code"] not in result.written
    assert all(runner.chapter_path(code).is_file() for code in result.written)
    assert not list(chapters.glob(".GM*"))
