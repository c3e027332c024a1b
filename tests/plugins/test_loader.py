"""Finding and importing plugin packages from folders and from installed packages."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from astros.errors import PluginError
from astros.plugins.base import BasePlugin
from astros.plugins.loader import entry_point_classes, load_folder, plugin_class, plugin_folders

SIMPLE = '''
from astros.plugins.base import BasePlugin, plugin_handler
from astros.types import Response

class {cls}(BasePlugin):
    name = "{name}"
    version = "1.0"
    description = "a test plugin"
    author = "tests"

    async def initialize(self): pass
    async def shutdown(self): pass

    @plugin_handler("{intent}")
    async def handle(self, intent):
        return Response(True, "{name} answered.")
'''


def make_plugin(root: Path, folder: str, source: str, **files: str) -> Path:
    """Write the package ``root/folder`` with ``__init__.py`` = ``source`` and any extra files."""
    package = root / folder
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(textwrap.dedent(source), encoding="utf-8")
    for name, text in files.items():
        path = package / name.replace("__", "/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return package


def simple(name: str, intent: str = "TestIntent", cls: str = "TestPlugin") -> str:
    return SIMPLE.format(name=name, intent=intent, cls=cls)


def test_plugin_folders_in_order_skipping_missing_paths(tmp_path) -> None:
    root = tmp_path / "many"
    make_plugin(root, "beta", simple("beta"))
    make_plugin(root, "alpha", simple("alpha"))
    (root / "not_a_plugin").mkdir()
    (root / "loose.py").write_text("x = 1")
    single = make_plugin(tmp_path, "single", simple("single"))
    found = list(plugin_folders([single, tmp_path / "does-not-exist", root]))
    assert found == [single, root / "alpha", root / "beta"]


def test_load_folder_returns_the_plugin_class(tmp_path) -> None:
    cls = load_folder(make_plugin(tmp_path, "greeter_plugin", simple("greeter")))
    assert issubclass(cls, BasePlugin)
    assert cls.name == "greeter" and cls.version == "1.0"
    assert [h.intent_type for h in cls().all_handlers()] == ["TestIntent"]


def test_relative_imports_inside_the_package_work(tmp_path) -> None:
    source = '''
    from astros.plugins.base import BasePlugin
    from .helpers import ANSWER

    class HelperPlugin(BasePlugin):
        name = "helped"
        version = "1"
        description = ANSWER
        author = ""
        async def initialize(self): pass
        async def shutdown(self): pass
    '''
    cls = load_folder(make_plugin(tmp_path, "helped_plugin", source, **{"helpers.py": "ANSWER = 'from helpers'"}))
    assert cls.description == "from helpers"


def test_sentence_files_are_found_beside_the_package(tmp_path) -> None:
    folder = make_plugin(
        tmp_path, "talker_plugin", simple("talker"),
        **{"sentences__en.yaml": "language: en\nintents: {}\n", "sentences__notes.txt": "ignored"},
    )
    plugin = load_folder(folder)()
    assert plugin.sentence_files() == [folder / "sentences" / "en.yaml"]


def test_explicit_plugin_name_wins(tmp_path) -> None:
    source = simple("one", cls="One") + simple("two", cls="Two") + "\nPLUGIN = Two\n"
    assert load_folder(make_plugin(tmp_path, "explicit_plugin", source)).name == "two"


def test_a_package_needs_exactly_one_plugin_class(tmp_path) -> None:
    two = simple("one", cls="One") + simple("two", cls="Two")
    with pytest.raises(PluginError, match=r"exactly one plugin class \(found 2\)"):
        load_folder(make_plugin(tmp_path, "two_plugins", two))
    with pytest.raises(PluginError, match=r"exactly one plugin class \(found 0\)"):
        load_folder(make_plugin(tmp_path, "no_plugins", "X = 1\n"))


def test_imported_base_classes_do_not_count(tmp_path) -> None:
    """A plugin that imports another plugin class (to reuse it) still has exactly one of its own."""
    make_plugin(tmp_path, "parent_plugin", simple("parent", cls="Parent"))
    load_folder(tmp_path / "parent_plugin")
    source = '''
    from astros_plugin_parent_plugin import Parent

    class Child(Parent):
        name = "child"
    '''
    assert load_folder(make_plugin(tmp_path, "child_plugin", source)).name == "child"


def test_an_import_error_names_the_plugin_and_the_reason(tmp_path) -> None:
    folder = make_plugin(tmp_path, "exploding", "raise RuntimeError('no GPIO chip here')\n")
    with pytest.raises(PluginError, match="plugin exploding failed to import: no GPIO chip here"):
        load_folder(folder)
    syntax = make_plugin(tmp_path, "typo", "def broken(:\n")
    with pytest.raises(PluginError, match="plugin typo failed to import"):
        load_folder(syntax)


def test_plugin_class_of_a_module(tmp_path) -> None:
    import types

    module = types.ModuleType("fake")
    module.PLUGIN = BasePlugin
    assert plugin_class(module) is BasePlugin


def install_entry_points(site: Path, lines: str) -> None:
    """A minimal installed distribution in ``site`` declaring ``astros.plugins`` entry points."""
    info = site / "astros_test_plugins-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: astros-test-plugins\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[astros.plugins]\n{lines}\n")


def test_entry_points_load_classes_and_modules_and_report_broken_ones(tmp_path, monkeypatch) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "astros_coin_ep.py").write_text(textwrap.dedent(simple("coin", cls="CoinPlugin")))
    (site / "astros_whole_module_ep.py").write_text(textwrap.dedent(simple("whole", cls="Whole")))
    (site / "astros_broken_ep.py").write_text("raise ImportError('missing dependency foo')\n")
    install_entry_points(
        site,
        "coin = astros_coin_ep:CoinPlugin\nwhole = astros_whole_module_ep\nbroken = astros_broken_ep:Plugin",
    )
    monkeypatch.syspath_prepend(str(site))
    found = dict(entry_point_classes())
    assert found["coin"].name == "coin"
    assert found["whole"].name == "whole"
    assert isinstance(found["broken"], PluginError)
    assert "plugin broken failed to load: missing dependency foo" in str(found["broken"])
