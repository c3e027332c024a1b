"""PluginManager: loading from folders, isolation of failing plugins, permissions, priorities."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from datetime import timezone
from typing import Any

import pytest

from astros.errors import AstrOSError
from astros.events import EventBus, EventType, PipelineEvent
from astros.home import Home
from astros.plugins.base import BasePlugin, PluginContext, plugin_handler, requires_permission
from astros.plugins.manager import PluginManager
from astros.security.permissions import PermissionManager
from astros.storage.database import DatabaseManager
from astros.types import Response
from tests.conftest import make_config, make_intent
from tests.plugins.test_loader import make_plugin, simple

# -- small plugins -------------------------------------------------------------------------------


class Plugin(BasePlugin):
    """A plugin with empty lifecycle methods, for the test plugins below."""

    version = "1.0"
    description = "test"
    author = "tests"

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


class Greeter(Plugin):
    name = "greeter"
    migrations = ("CREATE TABLE greetings (id TEXT PRIMARY KEY, who TEXT NOT NULL)",)

    async def initialize(self) -> None:
        self.initialized_with = dict(self.config or {})

    @plugin_handler("Greet")
    async def greet(self, intent) -> Response:
        who = intent.entities.get("who", "there")
        await self.context.database.insert("greetings", {"who": who})
        self.context.events.emit(EventType.ANNOUNCEMENT, text=f"greeted {who}")
        return Response(True, f"{self.config.get('greeting', 'Hello')}, {who}!", data={"who": who})


class Troublemaker(Plugin):
    name = "trouble"

    def __init__(self) -> None:
        super().__init__()
        self.ran: list[str] = []

    @plugin_handler("Crash")
    async def crash(self, intent) -> Response:
        self.ran.append("crash")
        return {}["missing"]

    @plugin_handler("Hang")
    async def hang(self, intent) -> Response:
        self.ran.append("hang")
        await asyncio.sleep(60)
        return Response(True, "Finally.")

    @plugin_handler("Refuse")
    async def refuse(self, intent) -> Response:
        raise AstrOSError("the garage door is jammed", "device-jammed")

    @plugin_handler("Nonsense")
    async def nonsense(self, intent):
        return "not a Response"

    @requires_permission("admin")
    @plugin_handler("Reboot")
    async def reboot(self, intent) -> Response:
        self.ran.append("reboot")
        return Response(True, "Rebooting.")

    @plugin_handler("Unlock", requires_permissions=["locks"])
    async def unlock(self, intent) -> Response:
        self.ran.append("unlock")
        return Response(True, "Unlocked.")


class Vault(Plugin):
    """Every handler of this plugin needs the ``vault`` permission."""

    name = "vault"
    requires_permissions = ["vault"]

    def __init__(self) -> None:
        super().__init__()
        self.opened = False

    @plugin_handler("OpenVault")
    async def open_vault(self, intent) -> Response:
        self.opened = True
        return Response(True, "The vault is open.")


class Low(Plugin):
    name = "low"

    @plugin_handler("Weather", priority=2)
    async def weather(self, intent) -> Response:
        return Response(True, "Low priority answer.")

    @plugin_handler("Shared", priority=9)
    async def shared(self, intent) -> Response:
        return Response(True, "Low plugin, high priority.")


class High(Plugin):
    name = "high"

    @plugin_handler("Weather", priority=8)
    async def weather(self, intent) -> Response:
        if intent.entities.get("pass"):
            return None  # steps aside: the next handler answers
        return Response(True, "High priority answer.")

    @plugin_handler("Shared", priority=3)
    async def shared(self, intent) -> Response:
        return Response(True, "High plugin, low priority.")


class Caller(Plugin):
    name = "caller"

    @plugin_handler("AskGreeter")
    async def ask_greeter(self, intent) -> Response:
        answer = await self.call_plugin("greeter", "greet", {"who": intent.entities["who"]})
        return Response(answer.success, f"The greeter said: {answer.message}")

    @plugin_handler("AskVault")
    async def ask_vault(self, intent) -> Response:
        return await self.call_plugin("vault", "open_vault", {})

    @plugin_handler("AskNobody")
    async def ask_nobody(self, intent) -> Response:
        return await self.call_plugin("nobody", "nothing", {})


class Worker(Plugin):
    name = "worker"

    def __init__(self) -> None:
        super().__init__()
        self.ticks = 0
        self.cancelled = False
        self.shut_down = False

    async def run_background(self) -> None:
        try:
            while True:
                self.ticks += 1
                await asyncio.sleep(0.01)
        except asyncio.CancelledError:
            self.cancelled = True
            raise

    async def shutdown(self) -> None:
        self.shut_down = True


# -- a manager on a real database ----------------------------------------------------------------


class Setup:
    """A PluginManager wired like the agent wires it, with every event recorded."""

    def __init__(self, manager: PluginManager, events: list[PipelineEvent]) -> None:
        self.manager = manager
        self.events = events

    async def ask(self, intent_type: str, user_id: str = "owner", **entities: Any):
        return await self.manager.dispatch(make_intent(intent_type, user_id=user_id, **entities))


@pytest.fixture
async def setup(tmp_path) -> AsyncIterator[Callable[..., Any]]:
    opened: list[tuple[PluginManager, DatabaseManager]] = []

    async def make(toml: str = "", *plugins: BasePlugin, load: bool = True) -> Setup:
        base = '[plugins]\nenabled_plugins = ["none-of-the-built-in-ones"]\n' if "[plugins]" not in toml else ""
        config = make_config(base + toml, tmp_path)
        db = DatabaseManager(config.database_path)
        await db.connect()
        bus, events = EventBus(), []
        bus.subscribe(events.append)
        home = Home(config.home)

        def context(call: Callable[..., Any]) -> PluginContext:
            return PluginContext(config, home, db, bus, timezone.utc, call, False)

        manager = PluginManager(config, db, PermissionManager(db, config.permissions), home, bus, context)
        for plugin in plugins:
            manager.register_plugin(plugin)
        if load:
            await manager.load_all()
        opened.append((manager, db))
        return Setup(manager, events)

    yield make
    for manager, db in opened:
        await manager.shutdown()
        await db.close()


def names(manager: PluginManager, status: str = "active") -> list[str]:
    return [p.name for p in manager.list_plugins() if p.status == status]


# -- loading -------------------------------------------------------------------------------------


async def test_plugins_load_from_configured_folders(setup, tmp_path) -> None:
    folder = tmp_path / "my-plugins"
    make_plugin(folder, "hello_pkg", simple("hello", intent="SayHello"))
    make_plugin(folder, "bye_pkg", simple("bye", intent="SayBye"))
    s = await setup(f'[plugins]\nplugin_paths = ["{folder}"]\nenabled_plugins = ["hello", "bye"]\n')
    assert names(s.manager) == ["bye", "hello"]
    result = await s.ask("SayHello")
    assert result.response.message == "hello answered."
    assert (result.plugin, result.handler) == ("hello", "handle")


async def test_a_single_plugin_folder_can_be_configured(setup, tmp_path) -> None:
    folder = make_plugin(tmp_path / "p", "solo_pkg", simple("solo", intent="Solo"))
    s = await setup(f'[plugins]\nplugin_paths = ["{folder}"]\nenabled_plugins = ["solo"]\n')
    assert names(s.manager) == ["solo"]


async def test_enabled_plugins_limits_what_loads(setup, tmp_path) -> None:
    folder = tmp_path / "my-plugins"
    make_plugin(folder, "wanted_pkg", simple("wanted"))
    make_plugin(folder, "unwanted_pkg", simple("unwanted"))
    s = await setup(f'[plugins]\nplugin_paths = ["{folder}"]\nenabled_plugins = ["wanted"]\n')
    assert names(s.manager) == ["wanted"]
    assert "unwanted" not in names(s.manager, "failed")  # not enabled is not a failure


async def test_auto_load_off_loads_only_enabled_plugins(setup, tmp_path) -> None:
    folder = tmp_path / "my-plugins"
    make_plugin(folder, "wanted_pkg", simple("wanted"))
    make_plugin(folder, "unwanted_pkg", simple("unwanted"))
    s = await setup(f'[plugins]\nplugin_paths = ["{folder}"]\nauto_load = false\nenabled_plugins = ["wanted"]\n')
    assert names(s.manager) == ["wanted"]
    nothing = await setup(f'[plugins]\nplugin_paths = ["{folder}"]\nauto_load = false\n')
    assert names(nothing.manager) == []


async def test_broken_plugins_are_reported_and_the_others_still_load(setup, tmp_path) -> None:
    folder = tmp_path / "my-plugins"
    make_plugin(folder, "good_pkg", simple("good", intent="Good"))
    make_plugin(folder, "bad_import", "import no_such_module_anywhere\n")
    make_plugin(folder, "bad_init", '''
        from astros.plugins.base import BasePlugin
        class BadInit(BasePlugin):
            name = "bad_init"
            version = "0.1"
            description = "raises"
            author = ""
            async def initialize(self):
                raise RuntimeError("the sensor is unplugged")
            async def shutdown(self): pass
        ''')
    make_plugin(folder, "slow_init", '''
        import asyncio
        from astros.plugins.base import BasePlugin
        class SlowInit(BasePlugin):
            name = "slow_init"
            version = "0.1"
            description = "hangs"
            author = ""
            async def initialize(self):
                await asyncio.sleep(60)
            async def shutdown(self): pass
        ''')
    toml = (
        f'[plugins]\nplugin_paths = ["{folder}"]\nplugin_timeout = 1\n'
        'enabled_plugins = ["good", "bad_import", "bad_init", "slow_init"]\n'
    )
    started = time.monotonic()
    s = await setup(toml)
    assert time.monotonic() - started < 10
    assert names(s.manager) == ["good"]
    mine = {"good", "bad_import", "bad_init", "slow_init"}
    failed = {p.name: p for p in s.manager.list_plugins() if p.status == "failed" and p.name in mine}
    assert set(failed) == {"bad_import", "bad_init", "slow_init"}
    assert "No module named 'no_such_module_anywhere'" in failed["bad_import"].error
    assert failed["bad_init"].error == "failed to initialize: the sensor is unplugged"
    assert failed["bad_init"].version == "0.1"
    assert failed["slow_init"].error == "did not finish initializing within 1 s (plugins.plugin_timeout)"
    assert (await s.ask("Good")).response.message == "good answered."


async def test_register_plugin_wires_storage_settings_and_migrations(setup) -> None:
    greeter = Greeter()
    s = await setup('[plugins.settings.greeter]\ngreeting = "Howdy"\n', greeter)
    assert greeter.initialized_with == {"greeting": "Howdy"}
    assert greeter.storage is not None and greeter.storage.namespace == "greeter"
    result = await s.ask("Greet", who="Ann")
    assert result.response.message == "Howdy, Ann!"
    rows = await s.manager.database.execute_query("SELECT who FROM greetings")
    assert rows == [{"who": "Ann"}]
    assert [e.data for e in s.events if e.type is EventType.ANNOUNCEMENT] == [{"text": "greeted Ann"}]
    version = await s.manager.database.execute_query(
        "SELECT version FROM schema_version WHERE component = 'plugin:greeter'"
    )
    assert version == [{"version": 1}]


async def test_a_second_plugin_with_the_same_name_is_refused(setup) -> None:
    s = await setup("", Greeter(), Greeter())
    assert names(s.manager) == ["greeter"]
    assert s.manager.failed["greeter"].error == "another plugin with this name is already loaded"


async def test_list_plugins_reports_intents_and_failures(setup) -> None:
    s = await setup("", Greeter(), Low())
    listed = [p.to_dict() for p in s.manager.list_plugins() if p.name in ("greeter", "low")]
    assert listed == [
        {"name": "greeter", "version": "1.0", "status": "active", "description": "test", "author": "tests",
         "intents": ["Greet"], "error": None},
        {"name": "low", "version": "1.0", "status": "active", "description": "test", "author": "tests",
         "intents": ["Shared", "Weather"], "error": None},
    ]


async def test_background_work_runs_and_stops_on_shutdown(setup) -> None:
    worker = Worker()
    s = await setup("", worker)
    s.manager.start_background()
    await asyncio.sleep(0.05)
    assert worker.ticks > 0
    await s.manager.shutdown()
    assert worker.cancelled and worker.shut_down
    assert s.manager.plugins == {}


# -- isolation: nothing a plugin does takes the agent down ---------------------------------------


async def test_a_handler_that_raises_gives_an_error_with_a_reason(setup) -> None:
    trouble = Troublemaker()
    s = await setup("", trouble)
    result = await s.ask("Crash")
    assert result.response is None
    assert result.error == "plugin-failed"
    assert result.reason == "the trouble skill ran into a problem (KeyError)"
    assert (result.plugin, result.handler) == ("trouble", "crash")


async def test_a_handler_raising_an_astros_error_keeps_its_code_and_message(setup) -> None:
    s = await setup("", Troublemaker())
    result = await s.ask("Refuse")
    assert (result.error, result.reason) == ("device-jammed", "the garage door is jammed")


async def test_a_handler_returning_something_else_is_a_failure(setup) -> None:
    s = await setup("", Troublemaker())
    result = await s.ask("Nonsense")
    assert result.error == "plugin-failed"
    assert "cannot read" in result.reason


async def test_a_handler_that_hangs_times_out(setup) -> None:
    s = await setup("[plugins]\nplugin_timeout = 1\n", Troublemaker())
    started = time.monotonic()
    result = await s.ask("Hang")
    assert 0.9 < time.monotonic() - started < 5
    assert result.error == "plugin-timeout"
    assert result.reason == "the trouble skill took too long"
    # The manager still works afterwards.
    assert (await s.ask("Crash")).error == "plugin-failed"


async def test_missing_handler_permission_denies_without_running(setup) -> None:
    trouble = Troublemaker()
    s = await setup('[permissions.users]\nroot = ["admin"]\n', trouble)
    denied = await s.ask("Reboot", user_id="guest")
    assert denied.error == "permission-denied"
    assert denied.reason == "it needs the admin permission"
    assert trouble.ran == []
    allowed = await s.ask("Reboot", user_id="root")
    assert allowed.response.message == "Rebooting."
    assert trouble.ran == ["reboot"]


async def test_plugin_handler_permissions_and_database_grants(setup) -> None:
    trouble = Troublemaker()
    s = await setup("", trouble)
    assert (await s.ask("Unlock", user_id="ann")).reason == "it needs the locks permission"
    assert trouble.ran == []
    await s.manager.permissions.grant_permission("ann", "locks")
    assert (await s.ask("Unlock", user_id="ann")).response.message == "Unlocked."


async def test_plugin_wide_permissions(setup) -> None:
    vault = Vault()
    s = await setup('[permissions.users]\nowner = ["vault"]\n', vault)
    denied = await s.ask("OpenVault", user_id="visitor")
    assert (denied.error, denied.reason) == ("permission-denied", "it needs the vault permission")
    assert vault.opened is False
    assert (await s.ask("OpenVault", user_id="owner")).response.success


async def test_no_handler(setup) -> None:
    s = await setup("", Greeter())
    result = await s.ask("Teleport")
    assert result.error == "no-handler" and result.response is None


# -- choosing a handler --------------------------------------------------------------------------


async def test_highest_priority_handler_answers(setup) -> None:
    s = await setup("", Low(), High())
    assert (await s.ask("Weather")).response.message == "High priority answer."
    assert (await s.ask("Shared")).response.message == "Low plugin, high priority."


async def test_a_handler_returning_none_hands_over_to_the_next(setup) -> None:
    s = await setup("", Low(), High())
    result = await s.ask("Weather", **{"pass": True})
    assert result.response.message == "Low priority answer."
    assert result.plugin == "low"


def test_priority_must_be_between_1_and_10() -> None:
    with pytest.raises(ValueError, match="between 1 and 10"):
        plugin_handler("X", priority=11)


def test_handlers_must_be_async() -> None:
    with pytest.raises(TypeError, match="must be an async function"):

        @plugin_handler("X")
        def not_async(self, intent):  # pragma: no cover - never called
            return None


# -- call_plugin ---------------------------------------------------------------------------------


async def test_call_plugin_between_two_plugins(setup) -> None:
    s = await setup('[plugins.settings.greeter]\ngreeting = "Hi"\n', Greeter(), Caller())
    result = await s.ask("AskGreeter", who="Bob")
    assert result.response.message == "The greeter said: Hi, Bob!"


async def test_call_plugin_runs_with_the_callers_permissions(setup) -> None:
    vault = Vault()
    s = await setup('[permissions.users]\nowner = ["vault"]\n', vault, Caller())
    denied = await s.ask("AskVault", user_id="visitor")
    assert denied.response.success is False
    assert denied.response.message == "Sorry, it needs the vault permission."
    assert vault.opened is False
    assert (await s.ask("AskVault", user_id="owner")).response.message == "The vault is open."


async def test_call_plugin_to_a_missing_plugin(setup) -> None:
    s = await setup("", Caller())
    result = await s.ask("AskNobody")
    assert result.response.success is False
    assert result.response.message == "There is no nobody.nothing to call."


async def test_call_plugin_needs_a_manager() -> None:
    with pytest.raises(RuntimeError, match="not loaded"):
        await Caller().call_plugin("greeter", "greet", {})
