"""Sorting a folder by kind of file: which folder each kind goes to, and the plan of moves.

Pure and synchronous: it takes a listing and returns what would move where, so "what would you
do?" and the real thing come from the same plan.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Iterable, Mapping, Sequence

from astros.system.files import FileInfo

KINDS: Final[Mapping[str, tuple[str, frozenset[str]]]] = {
    # kind: (folder, extensions)
    "document": ("Documents", frozenset(
        ".pdf .doc .docx .odt .rtf .txt .md .tex .xls .xlsx .ods .csv .ppt .pptx .odp .epub .pages .numbers".split())),
    "picture": ("Pictures", frozenset(
        ".jpg .jpeg .png .gif .bmp .svg .webp .heic .heif .tif .tiff .raw .cr2 .nef .ico".split())),
    "music file": ("Music", frozenset(".mp3 .flac .wav .ogg .oga .m4a .aac .opus .wma .aiff .mid .midi".split())),
    "video": ("Videos", frozenset(".mp4 .mkv .avi .mov .webm .m4v .wmv .mpg .mpeg .3gp".split())),
    "archive": ("Archives", frozenset(".zip .tar .gz .tgz .bz2 .xz .zst .7z .rar".split())),
    "installer": ("Installers", frozenset(".deb .rpm .exe .msi .dmg .pkg .apk .appimage .flatpakref".split())),
    "disk image": ("Disk images", frozenset(".iso .img".split())),
}
UNFINISHED: Final = frozenset(".part .crdownload .download .partial .tmp .opdownload".split())


@dataclass(frozen=True, slots=True)
class Move:
    """One planned move: a file, its kind, and where it goes."""

    source: str
    destination: str
    kind: str


def kind_of(name: str) -> str | None:
    """The kind of a file by its name ("report.PDF" -> "document"); None when it is not sorted."""
    suffix = Path(name).suffix.lower()
    if name.lower().endswith((".tar.gz", ".tar.xz", ".tar.bz2")):
        suffix = ".tar"
    return next((kind for kind, (_folder, suffixes) in KINDS.items() if suffix in suffixes), None)


def plan(folder: Path, entries: Iterable[FileInfo]) -> list[Move]:
    """The moves that sort the files of ``folder`` into sub-folders by kind.

    Folders, links, hidden files, unfinished downloads and unknown kinds stay where they are; a
    name already taken in the target folder gets " (2)", " (3)" ... before its extension."""
    taken: dict[str, set[str]] = {}
    moves = []
    for info in entries:
        if info.is_dir or info.is_symlink or info.name.startswith(".") or info.suffix in UNFINISHED:
            continue
        kind = kind_of(info.name)
        if kind is None:
            continue
        target = folder / KINDS[kind][0]
        names = taken.setdefault(target.name, _existing(target))
        name = _free_name(info.name, names)
        names.add(name)
        moves.append(Move(info.path, str(target / name), kind))
    return moves


def _existing(folder: Path) -> set[str]:
    try:
        return {p.name for p in folder.iterdir()}
    except OSError:
        return set()


def _free_name(name: str, taken: set[str]) -> str:
    if name not in taken:
        return name
    stem, suffix = Path(name).stem, Path(name).suffix
    number = 2
    while f"{stem} ({number}){suffix}" in taken:
        number += 1
    return f"{stem} ({number}){suffix}"


def summary(moves: Sequence[Move], *, done: bool) -> str:
    """What the moves do, in a sentence: "I moved 3 files: 2 documents into Documents and ..."."""
    if not moves:
        return "There is nothing to tidy up." if done else "I wouldn't move anything; it's already tidy."
    counts = Counter(move.kind for move in moves)
    order = list(KINDS)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], order.index(item[0])))
    parts = [f"{_count(n, kind)} into {KINDS[kind][0]}" for kind, n in ranked]
    verb = "I moved" if done else "I would move"
    return f"{verb} {_count(len(moves), 'file')}: {_join(parts)}."


def _count(n: int, noun: str) -> str:
    words = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine"}
    return f"{words.get(n, str(n))} {noun}{'' if n == 1 else 's'}"


def _join(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
