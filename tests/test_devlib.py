"""dev/lib.sh: a zombie process is not taken for a live one (issue #14: a worker restart silently did nothing)."""
from __future__ import annotations

import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _pid_alive(pid: int, tmp_path: Path) -> bool:
    script = f'GRANDEST_STATE={tmp_path} source "{ROOT}/dev/lib.sh"; pid_alive {pid} && echo yes || echo no'
    out = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()[-1] == "yes"


def test_a_zombie_is_not_alive(tmp_path):
    child = subprocess.Popen(["sleep", "0.1"])  # exits at once; not reaped until wait()
    time.sleep(0.5)
    with open(f"/proc/{child.pid}/stat") as f:
        assert f.read().split(") ")[1][0] == "Z"  # really a zombie
    try:
        assert not _pid_alive(child.pid, tmp_path)
    finally:
        child.wait()


def test_a_running_process_is_alive_and_a_gone_one_is_not(tmp_path):
    child = subprocess.Popen(["sleep", "30"])
    try:
        assert _pid_alive(child.pid, tmp_path)
    finally:
        child.kill()
        child.wait()
    assert not _pid_alive(child.pid, tmp_path)
