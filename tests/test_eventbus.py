"""The in-process event bus: bounded inboxes, and shutdown that never blocks."""

from queue_server.eventbus import CLOSED, INBOX_LIMIT, OVERFLOW, EventBus


def test_a_stalled_subscriber_is_told_to_resynchronise_instead_of_growing():
    bus = EventBus()
    stalled = bus.subscribe()
    bus.publish(range(INBOX_LIMIT + 5))
    assert stalled.get(timeout=0.1) is OVERFLOW
    assert stalled.get(timeout=0.01) is None


def test_shutdown_ends_every_stream_even_one_with_a_full_inbox():
    bus = EventBus()
    full, quiet = bus.subscribe(), bus.subscribe()
    for item in range(INBOX_LIMIT):
        full.inbox.put_nowait(item)  # full, but not yet marked as overflowing
    bus.close_all()  # must return at once, not wait for the stalled reader
    assert full.get(timeout=0.1) is CLOSED
    assert quiet.get(timeout=0.1) is CLOSED
