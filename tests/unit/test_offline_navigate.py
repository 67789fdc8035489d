"""The offline page's route links (static/js/offline_navigate.js, run by node) are the very
URLs locator/core/navigate.py writes, for hostile, long and astral names, with and without an
origin, in every mode, inside China (AMap's GCJ-02) and outside it, and for coordinates whose
sixth decimal is an exact tie (Python rounds those to even, JavaScript's toFixed up)."""

import json
import os
import shutil
import subprocess

import pytest

from locator.core.navigate import MODES, Place, navigate_links
from tests.processes import ROOT

NODE = shutil.which("node")
SCRIPT = os.path.join(ROOT, "static", "js", "offline_navigate.js")
HERE = Place(22.5281, 113.031, "我的位置")
POINTS = [
    (22.5281, 113.031, "新会区人民医院 住院楼母婴室"),
    (22.528799999999997, 113.0306, 'A & B, C|D <img src=x onerror=alert(1)> "q" \'it\' (1)*!~'),
    (22.0078125, 113.0078125, "x" * 150),  # exact ties at the sixth decimal; a long name
    (-33.8671875, -151.2109375, "😀 emoji 𠀀 astral, " * 8),  # outside China; 100 code points
    (0.0, -0.0, ""),
    (89.99999949, -179.9999995, "a/b?c=d#e%f+g h|i,j"),
]
ORIGINS = [None, HERE, Place(22.27, 113.08, "崖门, 古炮台|东")]


@pytest.mark.skipif(NODE is None, reason="needs node to run the page's script: "
                                         "apt-get install nodejs")
def test_the_pages_links_are_core_navigates():
    cases = [(lat, lon, name, origin, mode) for lat, lon, name in POINTS
             for origin in ORIGINS for mode in MODES]
    as_json = [[lat, lon, name, origin and origin.__dict__, mode]
               for lat, lon, name, origin, mode in cases]
    program = (f"const n = require({json.dumps(SCRIPT)});"
               "const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
               "process.stdout.write(JSON.stringify(cases.map(c => n.navigateLinks(...c))));")
    result = subprocess.run([NODE, "-e", program], input=json.dumps(as_json), text=True,
                            capture_output=True, check=True, timeout=60)
    from_js = json.loads(result.stdout)
    from_python = [[{"app": link.app, "url": link.url} for link in navigate_links(*case)]
                   for case in cases]
    for case, js, python in zip(cases, from_js, from_python, strict=True):
        assert js == python, case
