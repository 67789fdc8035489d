"""/api/nearest under gunicorn (2 workers) beside a trivial JSON endpoint of the same app,
measured in the same run with wrk: `python -m bench.http_bench [N]` (default 100,000 rows)."""

import os
import re
import subprocess
import sys
import tempfile

from bench.make_dataset import dataset_csv
from locator.core.categories import CATEGORIES
from tests.processes import Gunicorn, run_cli

CONNECTIONS = int(os.environ.get("WRK_CONNECTIONS", "16"))

# wrk picks a random origin in Xinhui and a category for every request.
NEAREST_LUA = """
local categories = {@CATEGORIES@}
math.randomseed(7)
request = function()
  local lat = 22.2 + math.random() * 0.6
  local lon = 112.8 + math.random() * 0.4
  local path = string.format("/api/nearest?lat=%.5f&lon=%.5f&category=%s", lat, lon,
                             categories[math.random(#categories)])
  return wrk.format("GET", path)
end
""".replace("@CATEGORIES@", ", ".join(f'"{key}"' for key in CATEGORIES))


def wrk(url: str, script: str | None = None, seconds: int = 10) -> tuple[float, float, float]:
    """(requests/s, p50 ms, p99 ms) from `wrk -t2 -c{CONNECTIONS}` against url."""
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", url]
    if script:
        command[1:1] = ["-s", script]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return rate, _percentile(out, "50%"), _percentile(out, "99%")


def _percentile(out: str, label: str) -> float:
    """A latency percentile from wrk's --latency table, in ms."""
    value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", out).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def main(n: int) -> None:
    """Load n synthetic facilities, serve them, measure both endpoints, print the table."""
    with tempfile.TemporaryDirectory() as tmp:
        db_path, csv_path, lua = (os.path.join(tmp, f) for f in ("db.sqlite", "d.csv", "n.lua"))
        with open(csv_path, "wb") as fh:
            fh.write(dataset_csv(n))
        with open(lua, "w") as fh:
            fh.write(NEAREST_LUA)
        run_cli(db_path, "facilities", "import", csv_path)
        server = Gunicorn(db_path, workers=2)
        try:
            wrk(server.url + "/api/categories", seconds=3)  # warm both workers
            wrk(server.url + "/api/nearest?lat=22.5&lon=113", seconds=3)
            trivial = wrk(server.url + "/api/categories")
            nearest = wrk(server.url + "/", lua)
        finally:
            server.stop()
    print(f"gunicorn (gunicorn.conf.py), 2 workers, {n:,} facilities, "
          f"wrk -t2 -c{CONNECTIONS} -d10s on 127.0.0.1\n")
    print("| endpoint | requests/s | p50 ms | p99 ms | × trivial |")
    print("|---|---:|---:|---:|---:|")
    for name, (rate, p50, p99) in (("/api/categories (trivial JSON)", trivial),
                                   ("/api/nearest (random origin, category)", nearest)):
        print(f"| {name} | {rate:.0f} | {p50:.1f} | {p99:.1f} | {rate / trivial[0]:.2f} |")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
