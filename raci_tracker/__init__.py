"""raci-tracker: track how a published RACI responsibility matrix changes over time."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("raci-tracker")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0"
