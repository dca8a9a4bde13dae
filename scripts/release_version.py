"""Print the version in scaffold/__init__.py (the one place it is written) without importing it."""

import re
from pathlib import Path

source = (Path(__file__).resolve().parent.parent / "scaffold" / "__init__.py").read_text()
match = re.search(r'^__version__ = "([^"]+)"$', source, re.MULTILINE)
if match is None:
    raise SystemExit("scaffold/__init__.py has no __version__")
print(match.group(1))
