"""Who holds a sync lease, and whether that process is still alive on this machine.

Why: a sync killed by the system (OOM killer, ``kill -9``, a power cut of the
GUI) never releases its lease, so every later sync had to wait out the whole
TTL although the holder was visibly gone.  A lease holder id therefore carries
enough to decide, on the SAME machine only, that its process is dead:

``host:pid:token@machine:start``

* ``host:pid:token`` is what the user sees in "a sync is already running ...";
* ``machine`` is a hash of the kernel's boot id and this process's pid
  namespace: equal only for processes that see the same process table in the
  same boot (two containers on one host share a boot id but not a pid
  namespace, and a pid from another boot means nothing);
* ``start`` is the process start time in clock ticks since boot, so a pid
  reused by a new process is not mistaken for the old holder.

Linux exposes all of that in ``/proc``.  macOS has no pid namespaces and no
cheap process start time: there ``machine`` hashes the host name and the
kernel's boot time (``kern.boottime``) and ``start`` is ``-``; a holder whose
pid no longer exists is gone, and a reused pid only makes the lease wait for
its expiry (the safe direction).  Elsewhere (Windows) the holder id has no
``@`` part and a dead holder is found by expiry only: never guessing "dead" is
what keeps two machines from syncing at once.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import os
import secrets
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
HOST_CHARS = 60  # the column holds 200 characters; the rest of the id needs ~50
_DEAD_STATES = ("Z", "X", "x")  # zombie / dead: killed, only waiting to be reaped
NO_START = "-"  # the system gives no process start time (macOS)


@dataclass(frozen=True, slots=True)
class HolderId:
    """A parsed holder id (see the module notes)."""

    label: str
    pid: int | None
    machine: str | None
    start: str | None

    @classmethod
    def parse(cls, text: str) -> HolderId:
        label, _, where = text.partition("@")
        parts = label.split(":")
        pid = int(parts[1]) if len(parts) >= 3 and parts[1].isdigit() else None
        machine, _, start = where.partition(":")
        return cls(label, pid, machine or None, start or None)


def new_holder_id(proc: Path = PROC) -> str:
    """A fresh id for this process: unique per lease, readable in messages."""
    pid = os.getpid()
    label = f"{socket.gethostname()[:HOST_CHARS]}:{pid}:{secrets.token_hex(4)}"
    machine = machine_key(proc)
    start = process_start(pid, proc)
    if machine is not None and start is None and _bsd_boot_time() is not None:
        start = NO_START
    if machine is None or start is None:
        return label
    return f"{label}@{machine}:{start}"


def machine_key(proc: Path = PROC) -> str | None:
    """This boot of this machine, as seen from this pid namespace; None if unknown."""
    try:
        boot = (proc / "sys/kernel/random/boot_id").read_text().strip()
        namespace = os.readlink(proc / "self/ns/pid")
    except OSError:
        boot_time = _bsd_boot_time()
        if boot_time is None:
            return None
        boot, namespace = f"{socket.gethostname()}|{boot_time}", "bsd"
    return hashlib.sha256(f"{boot}|{namespace}".encode()).hexdigest()[:16]


def _bsd_boot_time() -> str | None:
    """macOS: ``kern.boottime`` as ``seconds.microseconds``; None elsewhere or on error."""
    if sys.platform != "darwin":
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        value = (ctypes.c_long * 2)()  # struct timeval {time_t tv_sec; suseconds_t tv_usec}
        size = ctypes.c_size_t(ctypes.sizeof(value))
        if libc.sysctlbyname(b"kern.boottime", value, ctypes.byref(size), None, 0) != 0:
            return None
    except (OSError, AttributeError):
        return None
    return f"{value[0]}.{value[1] & 0xFFFFFFFF:06d}"


def _stat_fields(pid: int, proc: Path) -> list[str] | None:
    """``/proc/<pid>/stat`` after the command name (which may hold spaces and parentheses)."""
    try:
        text = (proc / str(pid) / "stat").read_text()
    except OSError:
        return None
    return text[text.rfind(")") + 2 :].split()


def process_start(pid: int, proc: Path = PROC) -> str | None:
    """The process's start time in ticks since boot (``stat`` field 22); None if unknown."""
    fields = _stat_fields(pid, proc)
    return fields[19] if fields is not None and len(fields) > 19 else None


def pid_exists(pid: int) -> bool:
    """Whether any process has ``pid``, even one this user may not look at.

    Why not only ``/proc``: with ``hidepid`` another user's processes are
    invisible there, and a live sync must never be taken for a dead one.
    """
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: it exists but belongs to someone else
        return True
    return True


def holder_is_gone(
    holder: str, proc: Path = PROC, exists: Callable[[int], bool] = pid_exists
) -> bool:
    """True only when ``holder`` certainly ran on this machine and its process is gone.

    Any doubt (another machine, another boot, an id without ``@``, an
    unreadable ``/proc``, a process we may not inspect) answers False, so the
    lease falls back to expiry.
    """
    parsed = HolderId.parse(holder)
    if parsed.pid is None or parsed.machine is None or parsed.start is None:
        return False
    here = machine_key(proc)
    if here is None or here != parsed.machine:
        return False
    if parsed.start == NO_START:
        return not exists(parsed.pid)
    fields = _stat_fields(parsed.pid, proc)
    if fields is None:
        return not exists(parsed.pid)  # not in /proc: gone, unless merely hidden from us
    if len(fields) <= 19:
        return False
    return fields[0] in _DEAD_STATES or fields[19] != parsed.start
