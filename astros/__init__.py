"""AstrOS: a private, offline, voice-first home assistant appliance.

Every public name of the API reference is importable from here.
"""

from .agent import AstrOSAgent
from .api import HTTPClient, WebSocketManager, create_app
from .ai import AIProvider, AIResponse, BaseAIProvider, Message
from .config import (
    AIConfig,
    AstrOSConfig,
    DatabaseConfig,
    HomeConfig,
    PluginConfig,
    load_config,
    parse_config,
)
from .errors import (
    AIError,
    AstrOSError,
    AstrOSPermissionError,
    AuthenticationError,
    ConfigError,
    ModelNotFoundError,
    PermissionError,
    PluginError,
    ProcessingError,
)
from .events import EventBus, EventType, PipelineEvent
from .intents.recognizer import IntentRecognizer
from .plugins.base import BasePlugin, PluginContext, PluginHandler, plugin_handler, requires_permission
from .plugins.manager import PluginManager
from .response import ResponseGenerator
from .security.auth import AuthenticationManager, Session, User
from .security.permissions import Permission, PermissionManager
from .storage.database import DatabaseManager
from .storage.plugin_storage import PluginStorage
from .storage.vectors import Document, SearchResult, VectorStore
from .system import FileInfo, FileManager, ProcessInfo, ProcessManager, ProcessResult, SystemInfo
from .types import (
    Context,
    Intent,
    ProcessingResult,
    Response,
    ResponseFormat,
    SystemStatus,
    UserRequest,
)

__version__ = "0.1.0"

__all__ = [
    "AIConfig", "AIError", "AIProvider", "AIResponse", "BaseAIProvider", "Document", "Message", "SearchResult",
    "VectorStore", "AstrOSAgent", "AstrOSConfig", "AstrOSError", "AstrOSPermissionError",
    "AuthenticationError", "BasePlugin", "ConfigError", "Context", "DatabaseConfig", "DatabaseManager",
    "EventBus", "EventType", "HomeConfig", "Intent", "IntentRecognizer", "ModelNotFoundError", "Permission",
    "PermissionError", "PermissionManager", "PipelineEvent", "PluginConfig", "PluginContext", "PluginError",
    "PluginHandler", "PluginManager", "PluginStorage", "ProcessingError", "ProcessingResult", "Response",
    "ResponseFormat", "ResponseGenerator", "SystemStatus", "UserRequest", "load_config", "parse_config",
    "plugin_handler", "requires_permission",
    "AuthenticationManager", "HTTPClient", "Session", "User", "WebSocketManager", "create_app",
    "FileInfo", "FileManager", "ProcessInfo", "ProcessManager", "ProcessResult", "SystemInfo",
]
