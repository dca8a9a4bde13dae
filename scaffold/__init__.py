"""scaffold: generate production-ready Python backend repositories from Copier templates."""

# The single place the version lives: hatch reads it for the wheel, and `scaffold --version`
# reads it without importlib.metadata, which alone costs ~70 ms of start-up.
__version__ = "0.1.0"
