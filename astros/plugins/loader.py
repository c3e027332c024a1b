"""Finding plugins: built-in and configured folders, and the ``astros.plugins`` entry points.

A plugin folder is a Python package (``NAME/__init__.py``) that defines one :class:`BasePlugin`
subclass, or names it as ``PLUGIN``. A configured path is either such a folder or a folder of them.
"""

from __future__ import annotations

import importlib.util
import inspect
import logging
import sys
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType
from typing import Callable, Iterator

from ..errors import PluginError
from .base import BasePlugin

_LOGGER = logging.getLogger(__name__)
ENTRY_POINT_GROUP = "astros.plugins"
BUILTIN_PLUGIN_PATH = Path(__file__).resolve().parents[2] / "plugins"


def plugin_folders(paths: list[Path]) -> Iterator[Path]:
    """Every plugin package folder in ``paths``, in order, skipping paths that do not exist."""
    for path in paths:
        if (path / "__init__.py").is_file():
            yield path
        elif path.is_dir():
            yield from sorted(p for p in path.iterdir() if (p / "__init__.py").is_file())
        else:
            _LOGGER.warning("Plugin path %s does not exist", path)


def load_folder(folder: Path) -> type[BasePlugin]:
    """Import the package at ``folder`` and return its plugin class.

    Raises:
        PluginError: the package cannot be imported or has no single plugin class.
    """
    module_name = f"astros_plugin_{folder.name}"
    spec = importlib.util.spec_from_file_location(
        module_name, folder / "__init__.py", submodule_search_locations=[str(folder)]
    )
    if spec is None or spec.loader is None:
        raise PluginError(f"{folder} is not a Python package")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as err:
        sys.modules.pop(module_name, None)
        raise PluginError(f"plugin {folder.name} failed to import: {err}") from err
    return plugin_class(module)


def plugin_class(module: ModuleType) -> type[BasePlugin]:
    """The plugin class a module defines (``PLUGIN``, or its one BasePlugin subclass)."""
    explicit = getattr(module, "PLUGIN", None)
    if explicit is not None:
        return explicit
    found = [
        cls
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, BasePlugin)
        and not inspect.isabstract(cls)
        and (cls.__module__ == module.__name__ or cls.__module__.startswith(f"{module.__name__}."))
    ]
    if len(found) != 1:
        raise PluginError(f"{module.__name__} must define exactly one plugin class (found {len(found)})")
    return found[0]


def entry_point_classes(
    wanted: Callable[[str], bool] = lambda name: True,
) -> Iterator[tuple[str, type[BasePlugin] | PluginError]]:
    """Plugins installed as packages, from the ``astros.plugins`` entry-point group, if ``wanted``."""
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        if not wanted(entry.name):
            continue
        try:
            loaded = entry.load()
            yield entry.name, loaded if inspect.isclass(loaded) else plugin_class(loaded)
        except Exception as err:  # noqa: BLE001 - a broken package must not stop the others
            yield entry.name, PluginError(f"plugin {entry.name} failed to load: {err}")
