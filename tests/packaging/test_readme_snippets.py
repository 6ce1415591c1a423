"""The README's fake-Etsy snippet works when pasted into a fresh shell.

A first user copies it as it is; it once failed (a bare ``etsysync`` not on
PATH, and the env file read before the server had written it).  The test
takes the block from README.md itself, so the text and the test cannot drift.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _snippet(after_heading: str) -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split(after_heading, 1)[1]
    found = re.search(r"```sh\n(.*?)```", section, re.S)
    assert found is not None
    return found.group(1)


@pytest.mark.skipif(sys.platform == "win32", reason="a POSIX shell snippet")
def test_the_fake_etsy_snippet_runs_as_pasted(tmp_path: Path) -> None:
    venv = Path(sys.prefix)
    if not (venv / "bin" / "etsysync").exists():
        pytest.skip("needs the .venv that .ci/venv creates")
    (tmp_path / ".venv").symlink_to(venv)  # the snippet runs from a clone's root
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ETSY", "VIRTUAL_ENV"))}
    env["PATH"] = "/usr/bin:/bin"  # a fresh terminal: the venv is not activated
    done = subprocess.run(
        ["bash", "-e", "-c", _snippet("### The fake Etsy server")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Schema revision:" in done.stdout
    assert "Sync completed." in done.stdout
    assert "Read 500 listing(s)" in done.stdout
