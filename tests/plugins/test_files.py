"""The files skill: organise the Downloads folder by kind, the dry run, the undo, the permissions."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import builtin_plugin, make_intent

DOWNLOADS = {
    "report.pdf": b"%PDF", "Invoice.DOCX": b"doc", "notes.txt": b"n", "photo.JPG": b"jpg", "cat.png": b"png",
    "song.mp3": b"mp3", "backup.tar.gz": b"tgz", "setup.deb": b"deb", "movie.mkv": b"mkv",
    "mystery.xyz": b"?", ".hidden.pdf": b"h", "big.iso.part": b"partial",
}


@pytest.fixture
def downloads(tmp_path: Path) -> Path:
    folder = tmp_path / "home" / "Downloads"
    folder.mkdir(parents=True)
    for name, data in DOWNLOADS.items():
        (folder / name).write_bytes(data)
    (folder / "Projects").mkdir()
    (folder / "Projects" / "inside.pdf").write_bytes(b"stays")
    return folder


def toml_for(downloads: Path, voice: str = "") -> str:
    grants = f'voice = [{voice}]\n' if voice else ""
    return (f'timezone = "UTC"\n[system]\nfile_roots = ["{downloads.parent}"]\n'
            f'[plugins.settings.files]\ndownloads = "{downloads}"\n'
            f'[permissions.users]\nowner = ["*"]\n{grants}')


def snapshot(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


async def test_organize_sorts_by_kind_and_says_what_moved(load_plugin, downloads: Path) -> None:
    h = await load_plugin(builtin_plugin("files"), toml=toml_for(downloads))
    response = await h.ask("AstrosFilesOrganize")
    assert response.success
    assert response.message == (
        "I moved nine files: three documents into Documents, two pictures into Pictures, "
        "one music file into Music, one video into Videos, one archive into Archives "
        "and one installer into Installers."
    )
    for path in ("Documents/report.pdf", "Documents/Invoice.DOCX", "Documents/notes.txt", "Pictures/photo.JPG",
                 "Pictures/cat.png", "Music/song.mp3", "Videos/movie.mkv", "Archives/backup.tar.gz",
                 "Installers/setup.deb"):
        assert (downloads / path).is_file(), path
    for stays in ("mystery.xyz", ".hidden.pdf", "big.iso.part", "Projects/inside.pdf"):
        assert (downloads / stays).is_file(), stays
    assert response.data["count"] == 9 and not response.data["dry_run"]
    again = await h.ask("AstrosFilesOrganize")
    assert again.message == "There is nothing to tidy up."


async def test_dry_run_moves_nothing(load_plugin, downloads: Path) -> None:
    h = await load_plugin(builtin_plugin("files"), toml=toml_for(downloads))
    before = snapshot(downloads)
    response = await h.ask("AstrosFilesOrganizePreview")
    assert response.message.startswith("I would move nine files: three documents into Documents")
    assert response.data["dry_run"] and len(response.data["moves"]) == 9
    assert snapshot(downloads) == before


async def test_undo_puts_everything_back(load_plugin, downloads: Path) -> None:
    h = await load_plugin(builtin_plugin("files"), toml=toml_for(downloads))
    before = snapshot(downloads)
    await h.ask("AstrosFilesOrganize")
    assert snapshot(downloads) != before
    response = await h.ask("AstrosFilesUndo")
    assert response.message == "I put 9 files back where they were."
    assert snapshot(downloads) == before  # the folders it made are gone too
    nothing = await h.ask("AstrosFilesUndo")
    assert not nothing.success and nothing.message == "There is no tidying up to undo."


async def test_name_clashes_get_numbers_and_undo_keeps_later_files(load_plugin, downloads: Path) -> None:
    (downloads / "Documents").mkdir()
    (downloads / "Documents" / "report.pdf").write_bytes(b"older")
    h = await load_plugin(builtin_plugin("files"), toml=toml_for(downloads))
    await h.ask("AstrosFilesOrganize")
    assert (downloads / "Documents" / "report (2).pdf").read_bytes() == b"%PDF"
    assert (downloads / "Documents" / "report.pdf").read_bytes() == b"older"
    (downloads / "Documents" / "later.pdf").write_bytes(b"new")  # put there after organising
    (downloads / "song.mp3").write_bytes(b"a new download with the same name")
    response = await h.ask("AstrosFilesUndo")
    assert response.message == "I put 8 files back where they were. 1 had been moved or replaced since, so I left it."
    assert (downloads / "Documents" / "later.pdf").exists() and (downloads / "Documents" / "report.pdf").exists()
    assert (downloads / "song.mp3").read_bytes() == b"a new download with the same name"
    assert (downloads / "Music" / "song.mp3").read_bytes() == b"mp3"


async def test_undo_survives_a_restart(load_plugin, downloads: Path) -> None:
    first = await load_plugin(builtin_plugin("files"), toml=toml_for(downloads))
    before = snapshot(downloads)
    await first.ask("AstrosFilesOrganize")
    await first.manager.shutdown()
    second = await load_plugin(builtin_plugin("files"), toml=toml_for(downloads))
    assert (await second.ask("AstrosFilesUndo")).success
    assert snapshot(downloads) == before


async def test_the_voice_user_may_look_but_not_move(load_plugin, downloads: Path) -> None:
    h = await load_plugin(builtin_plugin("files"), toml=toml_for(downloads))
    before = snapshot(downloads)
    preview = await h.manager.dispatch(make_intent("AstrosFilesOrganizePreview", user_id="voice"))
    assert preview.response is not None and preview.response.success
    for intent in ("AstrosFilesOrganize", "AstrosFilesUndo"):
        result = await h.manager.dispatch(make_intent(intent, user_id="voice"))
        assert result.error == "permission-denied" and "files.write" in result.reason
    assert snapshot(downloads) == before


async def test_a_granted_voice_user_may_organise(load_plugin, downloads: Path) -> None:
    h = await load_plugin(builtin_plugin("files"), toml=toml_for(downloads, voice='"files.write"'))
    result = await h.manager.dispatch(make_intent("AstrosFilesOrganize", user_id="voice"))
    assert result.response is not None and result.response.message.startswith("I moved nine files")


async def test_a_downloads_folder_outside_the_roots_is_refused(load_plugin, downloads: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "secret.pdf").write_bytes(b"s")
    toml = toml_for(downloads).replace(f'downloads = "{downloads}"', f'downloads = "{elsewhere}"')
    h = await load_plugin(builtin_plugin("files"), toml=toml)
    response = await h.ask("AstrosFilesOrganize")
    assert not response.success and "outside the folders I may use" in response.message
    assert (elsewhere / "secret.pdf").exists()


async def test_a_symlink_in_downloads_is_not_followed(load_plugin, downloads: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.pdf"
    outside.write_bytes(b"not yours")
    (downloads / "link.pdf").symlink_to(outside)
    h = await load_plugin(builtin_plugin("files"), toml=toml_for(downloads))
    await h.ask("AstrosFilesOrganize")
    assert (downloads / "link.pdf").is_symlink() and outside.read_bytes() == b"not yours"


async def test_a_missing_downloads_folder(load_plugin, downloads: Path) -> None:
    toml = toml_for(downloads).replace(f'downloads = "{downloads}"', f'downloads = "{downloads}/nope"')
    h = await load_plugin(builtin_plugin("files"), toml=toml)
    response = await h.ask("AstrosFilesOrganizePreview")
    assert not response.success and "There is no folder" in response.message
