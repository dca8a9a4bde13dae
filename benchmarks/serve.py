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
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request


def get(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=300) as response:  # noqa: S310
        response.read()
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 (read after the server stops)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "scaffold",
            "serve",
            "--port",
            str(port),
            "--renders-per-minute",
            "1000",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                get(f"{base}/api/check")
                break
            except OSError:
                time.sleep(0.1)
        get(f"{base}/api/tree")  # the first render fills the compiled-template cache
        tree = [get(f"{base}/api/tree?auth=session&extras=metrics") for _ in range(args.runs)]
        download = get(f"{base}/download?project_name=bench")
    finally:
        server.terminate()
        server.wait()
    log.seek(0)
    cpu = [float(m) for m in re.findall(r"ms wall, (\d+) ms CPU", log.read())]
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
