"""Every optional dependency, imported here and only when first used.

``import runicorn_api`` loads none of them. :func:`require` imports one or raises
:class:`MissingDependencyError` naming the extra that installs it; :func:`available`
says whether one is installed without importing it (checked once per process).
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

from .._exceptions import MissingDependencyError

__all__ = ["EXTRAS", "available", "require"]

EXTRAS: dict[str, tuple[str, str]] = {
    # module: (the extra that installs it, what needs it)
    "pandas": ("pandas", "pandas DataFrames"),
    "polars": ("polars", "polars DataFrames"),
    "pyarrow": ("arrow", "Arrow tables"),
    "numpy": ("pandas", "pandas DataFrames"),
    "matplotlib.pyplot": ("plot", "Plotting"),
    "tqdm.auto": ("progress", "progress=True"),
    "websocket": ("logs", "Streaming from the viewer's WebSocket"),
    "PIL.Image": ("images", "Opening images"),
    "runicorn": ("viewer", "runicorn_api.local()"),
    "mcp.server.mcpserver": ("mcp", "The MCP server (runicorn-api mcp)"),
}
"""The optional modules, the ``runicorn-api[extra]`` of each, and what needs it."""

_AVAILABLE: dict[str, bool] = {}


def available(module: str) -> bool:
    """Whether ``module`` can be imported (checked once, without importing it)."""
    if module not in _AVAILABLE:
        top = module.split(".")[0]
        _AVAILABLE[module] = importlib.util.find_spec(top) is not None
    return _AVAILABLE[module]


def install_hint(module: str) -> str:
    """``pip install 'runicorn-api[x]'`` for the extra that brings ``module``."""
    extra = EXTRAS.get(module, (module.split(".")[0], ""))[0]
    return f"pip install 'runicorn-api[{extra}]'"


def require(module: str, *, what: str | None = None) -> Any:
    """Import ``module``, or raise :class:`MissingDependencyError` that says which extra
    installs it (``what`` names the feature that needs it, in the message)."""
    top = module.split(".")[0]
    try:
        # The package first, as ``from PIL import Image`` would: a package that is
        # blocked or gone must not be served from a submodule already imported.
        importlib.import_module(top)
        return importlib.import_module(module)
    except ImportError as err:
        needs = what or EXTRAS.get(module, ("", f"{top} support"))[1]
        raise MissingDependencyError(
            f"{needs} needs {top}, which is not installed: {install_hint(module)} "
            f"(or 'runicorn-api[all]')."
        ) from err
