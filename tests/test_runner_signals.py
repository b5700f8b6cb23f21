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
        "dead_kernel": tmp_path / f"{runner.KERNEL_PREFIX}{dead.pid}-x.json",
        "dead_ipc": tmp_path / f"{runner.KERNEL_PREFIX}{dead.pid}-x-1",
        "alive_kernel": tmp_path / f"{runner.KERNEL_PREFIX}{alive}-x.json",
        "chapter": chapters / "GM0034.ipynb",
    }
    for f in files.values():
        f.write_text("{}")
    removed = set(runner.remove_leftovers())
    assert removed == {files["dead_chapter"], files["dead_kernel"], files["dead_ipc"]}
    assert all(f.exists() for k, f in files.items() if not k.startswith("dead"))
