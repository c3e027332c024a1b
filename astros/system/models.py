"""The model catalog (``models/catalog.toml``): what AstrOS can use, where it comes from, and
whether the installed files are the ones catalogued (size and SHA-256)."""

from __future__ import annotations

import hashlib
import importlib.util
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Optional

from ..errors import ConfigError

CATALOG: Final = Path(__file__).resolve().parents[2] / "models" / "catalog.toml"
CHUNK_BYTES: Final = 1 << 20


@dataclass(frozen=True, slots=True)
class ModelFile:
    """One file of a model, as catalogued."""

    path: str
    size: int
    sha256: str


@dataclass(frozen=True, slots=True)
class Model:
    """One catalogued model."""

    id: str
    kind: str
    engine: str
    name: str
    description: str
    licence: str
    package: str = ""
    module: str = ""
    version: str = ""
    path: str = ""
    licence_note: str = ""
    default: bool = False
    optional: bool = False
    files: tuple[ModelFile, ...] = field(default_factory=tuple)

    @property
    def size(self) -> int:
        """Bytes of all its files."""
        return sum(f.size for f in self.files)

    def folder(self) -> Optional[Path]:
        """Where its files are: the installed module's folder, or ``path``; None when not installed."""
        if self.module:
            spec = importlib.util.find_spec(self.module)  # found without importing it
            return Path(spec.origin).parent if spec is not None and spec.origin else None
        folder = Path(self.path).expanduser() if self.path else None
        return folder if folder is not None and folder.is_dir() else None


@dataclass(frozen=True, slots=True)
class Check:
    """The result of checking one file."""

    model: str
    path: str
    status: str
    """"ok", "missing", "size" (wrong size) or "checksum" (wrong content)."""


def load_catalog(path: Path = CATALOG) -> list[Model]:
    """The catalogued models.

    Raises:
        ConfigError: the catalog is missing or malformed.
    """
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        return [_model(entry) for entry in raw["models"]]
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError) as err:
        raise ConfigError(f"{path}: not a usable model catalog: {err}", "catalog-invalid") from err


def _model(entry: dict[str, Any]) -> Model:
    files = tuple(ModelFile(f["path"], int(f["size"]), str(f["sha256"]).lower()) for f in entry.get("files", ()))
    return Model(**{**entry, "files": files})


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def verify(model: Model) -> list[Check]:
    """Check each of the model's files: present, the right size, the right checksum."""
    folder = model.folder()
    checks = []
    for item in model.files:
        path = folder / item.path if folder is not None else Path(item.path)
        if folder is None or not path.is_file():
            status = "missing"
        elif path.stat().st_size != item.size:
            status = "size"
        else:
            status = "ok" if sha256_of(path) == item.sha256 else "checksum"
        checks.append(Check(model.id, str(path), status))
    return checks
