"""``python -m scaffold`` and the ``scaffold`` console script.

``scaffold --version`` is answered here without importing typer (and so the CLI): that import
alone is ~140 ms, most of the command's start-up (benchmarks/RESULTS.md). Everything else goes
to ``scaffold.cli``.
"""

import sys


def main() -> int:
    """Console-script entry point."""
    if sys.argv[1:] == ["--version"]:
        from scaffold import __version__

        sys.stdout.write(f"scaffold {__version__}\n")
        return 0
    from scaffold.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    raise SystemExit(main())
