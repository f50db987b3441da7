"""The installed version of scrbot (`scrbot --version`, backup manifests)."""

from __future__ import annotations


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed_version

    try:
        return installed_version("scrbot")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown (not installed)"
