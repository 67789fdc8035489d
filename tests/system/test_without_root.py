"""On a machine without root, `make test` still passes: the tests that mount a tiny disk skip,
saying why. Shown by running them as an ordinary user in a user namespace (util-linux unshare)."""

import shutil
import subprocess
import sys

import pytest

from tests.processes import ROOT


def as_ordinary_user(*args: str) -> subprocess.CompletedProcess:
    """Run `args` as uid 1000 in a new user namespace; skip where namespaces are refused."""
    if shutil.which("unshare") is None:
        pytest.skip("needs unshare: apt-get install util-linux")
    probe = subprocess.run(["unshare", "--user", "--map-user=1000", "--map-group=1000", "true"],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"user namespaces are refused here: {probe.stderr.strip()}")
    return subprocess.run(["unshare", "--user", "--map-user=1000", "--map-group=1000", *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_the_disk_fault_tests_skip_without_root_saying_why():
    done = as_ordinary_user(sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q",
                            "-rs", "tests/system/test_faults.py")
    assert done.returncode == 0, done.stdout + done.stderr
    summary = done.stdout.strip().splitlines()[-1]
    assert "skipped" in summary and "passed" not in summary and "failed" not in summary, summary
    assert "needs root to mount a tmpfs" in done.stdout
