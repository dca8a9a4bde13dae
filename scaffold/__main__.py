"""``python -m scaffold``: the same command line as the ``scaffold`` console script."""

import sys

from scaffold.cli import main

if __name__ == "__main__":
    sys.exit(main())
