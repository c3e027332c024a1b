"""VectorStore on chromadb with the offline model: search by meaning, filters, no network."""

from __future__ import annotations

import socket

import pytest

from astros.storage.vectors import VectorStore, VectorStoreError


@pytest.fixture
def no_network(monkeypatch):
    """Fail any connection that leaves this machine (a download or telemetry would)."""
    real = socket.socket.connect
    attempts: list = []

    def guarded(self, address):
        host = address[0] if isinstance(address, tuple) else str(address)
        if isinstance(address, tuple) and not (host.startswith("127.") or host in ("::1", "localhost")):
            attempts.append(address)
            raise OSError("network is not allowed in this test")
        return real(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    return attempts


async def test_add_search_filter_and_get(tmp_path, no_network) -> None:
    store = VectorStore(tmp_path / "vectors")
    ids = await store.add_documents(
        ["the wifi password is hunter2", "the car is on level 3", "the wifi password is swordfish"],
        [{"user": "ann", "kind": "secret"}, {"user": "ann", "kind": "place"}, {"user": "bob", "kind": "secret"}],
    )
    found = await store.search("password for the wireless", n_results=2, filter_metadata={"user": "ann"})
    assert [r.content for r in found] == ["the wifi password is hunter2", "the car is on level 3"]
    assert found[0].score > 0.6 > found[1].score and found[0].distance == pytest.approx(1 - found[0].score)
    both = await store.search("wifi password", filter_metadata={"user": "bob", "kind": "secret"})
    assert [r.content for r in both] == ["the wifi password is swordfish"]
    document = await store.get_document(ids[1])
    assert document is not None and document.content == "the car is on level 3" and document.metadata["kind"] == "place"
    assert await store.get_document("nope") is None
    assert await store.search("anything", collection="empty") == []
    await store.close()
    assert no_network == []


async def test_documents_persist_and_collections_are_separate(tmp_path) -> None:
    store = VectorStore(tmp_path / "vectors")
    await store.add_documents(["apples are red"], [{}], collection="fruit", ids=["a"])
    await store.add_documents(["the sky is blue"], [{"n": 1}], collection="sky")
    await store.close()
    reopened = VectorStore(tmp_path / "vectors")
    assert await reopened.count("fruit") == 1 and await reopened.count("sky") == 1
    assert (await reopened.search("fruit colour", collection="fruit"))[0].id == "a"
    await reopened.delete_documents(["a"], collection="fruit")
    assert await reopened.count("fruit") == 0
    await reopened.close()


async def test_bad_input_is_a_clear_error(tmp_path) -> None:
    store = VectorStore(tmp_path / "vectors")
    with pytest.raises(VectorStoreError, match="one metadata"):
        await store.add_documents(["a", "b"], [{}])
    with pytest.raises(VectorStoreError, match="some text"):
        await store.add_documents(["  "], [{}])
    with pytest.raises(VectorStoreError, match="must be text, a number"):
        await store.add_documents(["a"], [{"tags": ["x"]}])
    with pytest.raises(VectorStoreError, match="name"):
        await store.add_documents(["a"], [{}], collection="x")
    assert await store.count() == 0
    await store.close()


def test_chromadb_telemetry_is_off_and_its_default_model_unused(tmp_path) -> None:
    store = VectorStore(tmp_path / "vectors")
    client = store._open()
    assert client.get_settings().anonymized_telemetry is False
    collection = store._collection("default")
    assert type(collection._embedding_function).__name__ == "OfflineEmbeddingFunction"
