"""pages/shared/sent.py: a polled element is sent again only when it changed, and no more often
than its interval (a queue's place: every fit that ends moves every waiting student's place)."""

from pages.shared.sent import LastSent


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_only_a_change_is_sent():
    sent = LastSent()
    assert [sent.changed(v) for v in ("a", "a", "b", "b", "a")] == [True, False, True, False,
                                                                     True]


def test_a_change_waits_for_the_interval_and_then_the_latest_value_goes():
    clock = Clock()
    sent = LastSent(every=2.0, clock=clock)
    assert sent.changed("3 ahead")  # the first value goes at once
    clock.now += 0.5
    assert not sent.changed("2 ahead")  # held back: 0.5 s after the last
    clock.now += 1.0
    assert not sent.changed("1 ahead")
    assert not sent.changed("3 ahead")  # the value last sent: nothing to send
    clock.now += 0.6  # 2.1 s after the last
    assert sent.changed("1 ahead")  # what it is now, not what was held back
    assert not sent.changed("1 ahead")
    clock.now += 5.0
    assert not sent.changed("1 ahead")  # no change: the interval alone sends nothing
    assert sent.changed("next")


def test_the_interval_counts_from_the_last_value_sent_not_the_last_asked():
    clock = Clock()
    sent = LastSent(every=2.0, clock=clock)
    sent.changed("a")
    for _ in range(10):  # asked every 0.25 s: held back until 2 s after "a" went
        clock.now += 0.25
        if sent.changed("b"):
            break
    assert clock.now - 100.0 == 2.0
