"""The fake-etsy command: KEY=VALUE lines on a free port, clean exit on signals."""

from __future__ import annotations

import queue
import signal
import subprocess
import sys
import threading
import time

import httpx
import pytest

from fake_etsy.cli import main

KEYS = (
    "ETSY_API_BASE_URL",
    "ETSY_OAUTH_CONNECT_URL",
    "ETSY_OAUTH_TOKEN_URL",
    "ETSY_API_KEY",
    "ETSY_API_SECRET",
    "ETSY_SHOP_ID",
    "ETSY_ACCESS_TOKEN",
    "ETSY_REFRESH_TOKEN",
)
LAUNCH = "import sys; from fake_etsy.cli import main; raise SystemExit(main(sys.argv[1:]))"


def _start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", LAUNCH, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _read_values(process: subprocess.Popen[str], timeout: float = 20.0) -> dict[str, str]:
    """The KEY=VALUE lines, read on a helper thread so a silent process cannot block us."""
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)
        lines.put("")

    threading.Thread(target=pump, daemon=True).start()
    values: dict[str, str] = {}
    deadline = time.monotonic() + timeout
    while len(values) < len(KEYS):
        try:
            line = lines.get(timeout=max(0.01, deadline - time.monotonic()))
        except queue.Empty:
            process.kill()
            pytest.fail(f"fake-etsy printed only {sorted(values)}")
        if not line:
            pytest.fail(f"fake-etsy exited early with {process.wait()}")
        key, _, value = line.rstrip("\n").partition("=")
        values[key] = value
    return values


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_prints_its_settings_and_stops_cleanly(signum: int) -> None:
    process = _start("--listings", "5", "--port", "0", "--qps", "none", "--seed", "3")
    try:
        values = _read_values(process)
        assert list(values) == list(KEYS)
        base = values["ETSY_API_BASE_URL"]
        assert base.startswith("http://127.0.0.1:")
        assert base.endswith("/v3")
        assert not base.startswith("http://127.0.0.1:0/")
        assert values["ETSY_OAUTH_TOKEN_URL"] == f"{base}/public/oauth/token"
        headers = {
            "x-api-key": f"{values['ETSY_API_KEY']}:{values['ETSY_API_SECRET']}",
            "authorization": f"Bearer {values['ETSY_ACCESS_TOKEN']}",
        }
        me = httpx.get(f"{base}/application/users/me", headers=headers, timeout=5)
        assert me.status_code == 200
        assert me.json()["shop_id"] == int(values["ETSY_SHOP_ID"])
        process.send_signal(signum)
        assert process.wait(timeout=10) == 0
        assert process.stderr is not None
        assert "Traceback" not in process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.parametrize(
    "argv",
    [
        ["--port", "abc"],
        ["--port", "70000"],
        ["--listings", "-1"],
        ["--fault-rate", "2"],
        ["--qps", "-5"],
        ["--latency-ms", "-1"],
        ["--keystring", "a:b"],
        ["--bogus"],
        ["extra"],
    ],
)
def test_bad_arguments_print_one_line_and_exit_2(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("fake-etsy: error: ")
