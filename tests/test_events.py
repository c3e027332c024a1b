"""EventBus: every subscriber hears every event, and one broken subscriber stops nobody."""

from __future__ import annotations

import asyncio

from astros.events import EventBus, EventType, PipelineEvent


def test_subscribers_get_events_in_order() -> None:
    bus, first, second = EventBus(), [], []
    bus.subscribe(first.append)
    bus.subscribe(lambda event: second.append(event.type))
    event = bus.emit(EventType.TIMER_STARTED, timer_id="t1", seconds=300)
    assert first == [event]
    assert second == [EventType.TIMER_STARTED]
    assert event.data == {"timer_id": "t1", "seconds": 300}


def test_unsubscribe_stops_delivery() -> None:
    bus, heard = EventBus(), []
    unsubscribe = bus.subscribe(heard.append)
    bus.emit(EventType.IDLE)
    unsubscribe()
    unsubscribe()  # twice is harmless
    bus.emit(EventType.IDLE)
    assert len(heard) == 1


def test_a_failing_subscriber_does_not_stop_the_others(caplog) -> None:
    bus, heard = EventBus(), []

    def broken(event: PipelineEvent) -> None:
        raise RuntimeError("LED strip unplugged")

    bus.subscribe(broken)
    bus.subscribe(heard.append)
    bus.emit(EventType.DEVICE_CHANGED, name="Kitchen lights", state="on")
    assert [e.data["name"] for e in heard] == ["Kitchen lights"]
    assert "LED strip unplugged" in caplog.text


def test_a_subscriber_may_unsubscribe_while_an_event_is_delivered() -> None:
    bus, heard = EventBus(), []
    unsubscribe = bus.subscribe(lambda event: unsubscribe())
    bus.subscribe(heard.append)
    bus.emit(EventType.IDLE)
    bus.emit(EventType.IDLE)
    assert len(heard) == 2


async def test_async_subscribers_run_as_tasks() -> None:
    bus, heard = EventBus(), []

    async def slow(event: PipelineEvent) -> None:
        await asyncio.sleep(0.01)
        heard.append(event.type)

    async def failing(event: PipelineEvent) -> None:
        raise ValueError("websocket closed")

    bus.subscribe(failing)
    bus.subscribe(slow)
    bus.emit(EventType.TIMER_FINISHED, timer_id="t1")
    assert heard == []  # publishing does not wait for them
    await asyncio.sleep(0.05)
    assert heard == [EventType.TIMER_FINISHED]


def test_event_as_json_ready_data() -> None:
    event = PipelineEvent(EventType.VOLUME_CHANGED, {"level": 40, "muted": False}, timestamp=12.5)
    assert event.to_dict() == {"type": "volume_changed", "data": {"level": 40, "muted": False}, "timestamp": 12.5}
    assert EventType("alarm_ringing") is EventType.ALARM_RINGING
