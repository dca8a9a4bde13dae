"""How long Explore and Download take in ``scaffold serve``, measured as a user's browser sees
them (HTTP round trip to a running server) and as CPU of the render process the server forks.

    uv run python benchmarks/serve.py [--runs 10]

Explore (``/api/tree``) is one render with the compiled-template cache warm (the server's
first render warms it); Download (``/download``) is the same render plus ``uv lock`` and the
zip. The load average is printed because this machine's two cores are shared.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from scaffold.smoke.processes import free_port, running_server


def get(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=300) as response:  # noqa: S310
        response.read()
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="scaffold-bench-serve-") as tmp:
        log = Path(tmp) / "serve.log"  # read after the server stops: its render timings
        port = free_port()
        cmd = [sys.executable, "-m", "scaffold", "serve", "--port", str(port)]
        cmd += ["--renders-per-minute", "1000"]
        with running_server(
            cmd, Path(tmp), os.environ, log, port=port, health_path="/api/check", timeout=60
        ) as server:
            base = server.base_url
            get(f"{base}/api/tree")  # the first render fills the compiled-template cache
            tree = [get(f"{base}/api/tree?auth=session&extras=metrics") for _ in range(args.runs)]
            download = get(f"{base}/download?project_name=bench")
        cpu = [float(m) for m in re.findall(r"ms wall, (\d+) ms CPU", log.read_text())]
    print(f"load average {os.getloadavg()[0]:.1f}")
    print(
        f"Explore /api/tree: median {statistics.median(tree):.0f} ms wall "
        f"(min {min(tree):.0f}), render process CPU median {statistics.median(cpu[1:-1]):.0f} ms"
    )
    print(
        f"Download /download (render + uv lock + zip): {download:.0f} ms wall, "
        f"render process CPU {cpu[-1]:.0f} ms"
    )


if __name__ == "__main__":
    main()
