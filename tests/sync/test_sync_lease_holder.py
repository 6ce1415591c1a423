"""A lease holder killed on this machine is taken over at once, never by waiting.

Before, a sync killed by the system (``kill -9``, the OOM killer) blocked
every later sync for the whole TTL (~120 s) although its process was gone.
Here a real child process takes the lease and is SIGKILLed; the very next
``acquire`` must win, on its first try.  The holder-id checks themselves run
against a fake ``/proc`` so pid reuse, zombies and other machines are covered
without depending on the host.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from etsysync_gui.db.engine import Database
from etsysync_gui.db.models import EtsySyncConfig
from etsysync_gui.sync.runs import holder as holder_mod
from etsysync_gui.sync.runs.holder import HolderId, holder_is_gone, machine_key, new_holder_id
from etsysync_gui.sync.runs.lease import Lease, SyncAlreadyRunning

SHOP = 41_234_568
LINUX = sys.platform.startswith("linux")
CHILD = """
import sys
from etsysync_gui.db.engine import Database
from etsysync_gui.sync.runs.lease import Lease
lease = Lease(Database.open(sys.argv[1]), int(sys.argv[2]), ttl_s=120)
lease.acquire()
print(lease.holder, flush=True)
sys.stdin.read()  # hold the lease until killed
"""


def holder_in_db(database: Database) -> str | None:
    with database.session() as session:
        return session.scalar(
            select(EtsySyncConfig.lease_holder).where(EtsySyncConfig.shop_id == SHOP)
        )


@pytest.fixture
def child(db_url: str, database: Database) -> Iterator[subprocess.Popen[str]]:
    """A real process of this machine that holds the shop's lease."""
    process = subprocess.Popen(
        [sys.executable, "-c", CHILD, db_url, str(SHOP)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        assert line, line
        assert holder_in_db(database) == line, line
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)


@pytest.mark.skipif(not LINUX, reason="process identity needs /proc")
@pytest.mark.parametrize("reaped", [True, False], ids=["reaped", "zombie"])
def test_a_killed_holder_on_this_machine_is_taken_over_on_the_first_try(
    database: Database, child: subprocess.Popen[str], reaped: bool
) -> None:
    dead = holder_in_db(database)
    assert dead is not None
    assert f":{child.pid}:" in dead
    os.kill(child.pid, signal.SIGKILL)
    if reaped:
        child.wait(timeout=30)
    else:  # killed but not yet reaped by its parent: a zombie is dead too
        while _state(child.pid) not in ("Z", "X", None):
            time.sleep(0.01)  # waiting for the kernel to finish the kill, not for the lease
    started = time.monotonic()
    lease = Lease(database, SHOP, ttl_s=120)
    lease.acquire()  # no retry loop: the first attempt must win
    elapsed = time.monotonic() - started
    assert holder_in_db(database) == lease.holder != dead
    assert elapsed < 2.0, elapsed
    lease.release(status="completed")


@pytest.mark.skipif(not LINUX, reason="process identity needs /proc")
def test_a_live_holder_on_this_machine_keeps_its_lease(
    database: Database, child: subprocess.Popen[str]
) -> None:
    with pytest.raises(SyncAlreadyRunning) as caught:
        Lease(database, SHOP, ttl_s=120).acquire()
    assert f":{child.pid}:" in caught.value.message
    assert "@" not in caught.value.message  # the machine key is not for the seller's eyes
    assert holder_in_db(database) is not None
    assert f":{child.pid}:" in (holder_in_db(database) or "")


def _state(pid: int) -> str | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rfind(")") + 2 :].split()[0]


# --- holder ids against a fake /proc ------------------------------------------------------


def fake_proc(root: Path, *, boot: str = "boot-1", namespace: str = "pid:[4026531836]") -> Path:
    (root / "sys/kernel/random").mkdir(parents=True)
    (root / "sys/kernel/random/boot_id").write_text(boot + "\n")
    (root / "self/ns").mkdir(parents=True)
    os.symlink(namespace, root / "self/ns/pid")
    return root


def fake_process(proc: Path, pid: int, *, start: str, state: str = "S") -> None:
    (proc / str(pid)).mkdir()
    fields = [state, *["0"] * 18, start, "0", "0"]
    (proc / str(pid) / "stat").write_text(f"{pid} (python3 (x) y) {' '.join(fields)}\n")


def holder_for(proc: Path, pid: int, start: str) -> str:
    return f"host:{pid}:abcd1234@{machine_key(proc)}:{start}"


def test_holder_ids_name_the_host_pid_machine_and_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    proc = fake_proc(tmp_path)
    fake_process(proc, os.getpid(), start="777")
    parsed = HolderId.parse(new_holder_id(proc))
    assert (parsed.pid, parsed.machine, parsed.start) == (os.getpid(), machine_key(proc), "777")
    assert parsed.label.count(":") == 2
    monkeypatch.setattr(holder_mod, "machine_key", lambda _proc=proc: None)
    assert "@" not in new_holder_id(proc)  # unknown machine: expiry only


def test_a_gone_pid_or_a_reused_pid_or_a_zombie_is_gone(tmp_path: Path) -> None:
    proc = fake_proc(tmp_path)
    fake_process(proc, 200, start="500")
    fake_process(proc, 201, start="501", state="Z")
    none = lambda _pid: False  # noqa: E731 - no process has that pid
    assert not holder_is_gone(holder_for(proc, 200, "500"), proc, none)  # alive
    assert holder_is_gone(holder_for(proc, 200, "499"), proc, none)  # pid reused by a newer one
    assert holder_is_gone(holder_for(proc, 201, "501"), proc, none)  # zombie
    assert holder_is_gone(holder_for(proc, 999, "1"), proc, none)  # no such process
    hidden = lambda _pid: True  # noqa: E731 - exists, but /proc hides it (hidepid)
    assert not holder_is_gone(holder_for(proc, 999, "1"), proc, hidden)


def test_doubt_never_counts_as_gone(tmp_path: Path) -> None:
    proc = fake_proc(tmp_path / "here")
    elsewhere = fake_proc(tmp_path / "there", boot="boot-2")
    other_namespace = fake_proc(tmp_path / "box", namespace="pid:[4026532000]")
    assert not holder_is_gone(holder_for(elsewhere, 999, "1"), proc)  # another machine or boot
    assert not holder_is_gone(holder_for(other_namespace, 999, "1"), proc)  # another container
    assert not holder_is_gone("host:999:abcd1234", proc)  # no machine part (not Linux)
    assert not holder_is_gone("garbage", proc)
    assert not holder_is_gone(holder_for(proc, 999, "1"), tmp_path / "missing")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_pid_exists_sees_this_process_and_not_a_reaped_one() -> None:
    assert holder_mod.pid_exists(os.getpid())
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        text=True,
        capture_output=True,
        check=True,
    )
    assert not holder_mod.pid_exists(int(done.stdout))


def test_without_proc_the_boot_time_names_the_machine_and_a_missing_pid_is_gone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """macOS: no /proc; the host name and ``kern.boottime`` name this boot of the machine."""
    no_proc = tmp_path / "no-proc"
    monkeypatch.setattr(holder_mod, "_bsd_boot_time", lambda: "1700000000.123456")
    mine = new_holder_id(no_proc)
    parsed = HolderId.parse(mine)
    assert (parsed.pid, parsed.start) == (os.getpid(), holder_mod.NO_START)
    assert parsed.machine == machine_key(no_proc) is not None
    dead = mine.replace(f":{os.getpid()}:", ":999:", 1)
    assert holder_is_gone(dead, no_proc, lambda _pid: False)
    assert not holder_is_gone(dead, no_proc, lambda _pid: True)  # alive (or reused: wait)
    monkeypatch.setattr(holder_mod, "_bsd_boot_time", lambda: "1700000999.000001")
    assert not holder_is_gone(dead, no_proc, lambda _pid: False)  # rebooted since: expiry only
    monkeypatch.setattr(holder_mod, "_bsd_boot_time", lambda: None)
    assert "@" not in new_holder_id(no_proc)  # Windows: expiry only
