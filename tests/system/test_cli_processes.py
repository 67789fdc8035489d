"""The app loaded in a fresh child Python, as the CLI runs: batch commands drop their priority
below the web workers', and loading the app leaves folium (maps) unloaded."""

import os
import subprocess
import sys

import pytest

from tests.processes import ROOT

NICENESS_AFTER = """
import os, sys
from wsgi import app
app.test_cli_runner().invoke(args=["facilities", *sys.argv[1:]])
print(os.nice(0))
"""


@pytest.mark.parametrize("command", [["import", "{file}"], ["rollback", "99"]])
@pytest.mark.parametrize("setting", ["10", "0"])
def test_import_and_rollback_run_below_the_web_workers(tmp_path, command, setting):
    # In a child process: a nice() cannot be taken back, so this one must not run it.
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"not,a,facility,file\n")
    args = [a.format(file=bad) for a in command]
    env = os.environ | {"LOCATOR_DATABASE": str(tmp_path / "db.sqlite"),
                        "LOCATOR_BATCH_NICE": setting}
    out = subprocess.run([sys.executable, "-c", NICENESS_AFTER, *args], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True).stdout
    assert int(out.split()[-1]) - os.nice(0) == int(setting)


def test_loading_the_app_leaves_folium_unloaded():
    # CLI commands (imports at batch priority, admin tools) never draw a map: ~0.2 s saved.
    code = "import sys, wsgi; print('folium' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    assert out.strip() == "False"
