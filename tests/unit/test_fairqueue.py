"""The fair queue: at most `workers` pieces at once, first come first served per owner (a new
request replaces the owner's waiting one), the teacher's first, leaving runs nothing, and a
piece that fails or is stopped frees its worker. Counted with locks and events, never timed."""

from __future__ import annotations

import threading
import time

import pytest

from digitlab.runtime.fairqueue import (
    DONE,
    LEFT,
    REPLACED,
    RUNNING,
    WAITING,
    FairQueue,
    Place,
    Request,
    waiting_words,
)
from digitlab.runtime.jobs import BackgroundJob, Stopped
from tests.support.threads import InThread


def until(condition, timeout: float = 10.0) -> None:
    """Wait for a condition another thread makes true (a deadline, not a timed assertion)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the condition never came true"
        time.sleep(0.01)


def busy(queue: FairQueue):
    """A ticket holding one worker until the test calls queue.done on it."""
    ticket = queue.submit(Request("someone busy"))
    assert ticket.state == RUNNING
    return ticket


def test_waiting_entries_run_first_come_first_served_across_students():
    q = FairQueue(workers=1)
    blocker = busy(q)
    a, b, c = (q.submit(Request(owner)) for owner in "abc")
    assert [t.state for t in (a, b, c)] == [WAITING] * 3
    assert [q.place(t).ahead for t in (a, b, c)] == [0, 1, 2]
    q.done(blocker)
    assert (a.state, b.state, c.state) == (RUNNING, WAITING, WAITING)
    q.done(a)
    assert (a.state, b.state, c.state) == (DONE, RUNNING, WAITING)


def test_a_students_second_press_replaces_their_waiting_entry_and_does_not_jump_others():
    q = FairQueue(workers=1)
    blocker = busy(q)
    first = q.submit(Request("ann"))
    bob = q.submit(Request("bob"))
    second = q.submit(Request("ann"))  # Ann changed C and pressed again
    assert first.state == REPLACED
    assert q.counts() == (1, 2)  # Ann holds one waiting entry, not two
    assert q.place(bob).ahead == 0 and q.place(second).ahead == 1
    q.done(blocker)
    assert bob.state == RUNNING and second.state == WAITING and first.state == REPLACED


def test_a_replaced_request_never_runs_its_work():
    q = FairQueue(workers=1)
    blocker = busy(q)
    ran, tickets = [], []

    def press(label: str):
        with q.turn(Request("ann"), on_ticket=tickets.append):
            ran.append(label)

    old = InThread(lambda: press("old"))
    until(lambda: len(tickets) == 1)
    new = InThread(lambda: press("new"))
    assert isinstance(old.error(), Stopped)
    q.done(blocker)
    new.result()
    assert ran == ["new"]


def test_never_more_than_the_bound_run_at_once():
    q = FairQueue(workers=2)
    lock, gate = threading.Lock(), threading.Event()
    now, most, ran = [0], [0], []

    def work(owner: int):
        with q.turn(Request(owner)):
            with lock:
                now[0] += 1
                most[0] = max(most[0], now[0])
            gate.wait(10)
            with lock:
                now[0] -= 1
                ran.append(owner)

    threads = [InThread(lambda i=i: work(i)) for i in range(6)]
    until(lambda: q.counts() == (2, 4))  # two hold the workers, four wait
    assert now[0] == 2
    gate.set()
    for t in threads:
        t.result()
    assert most[0] == 2 and sorted(ran) == list(range(6))
    assert q.counts() == (0, 0)


def test_the_workers_and_the_blas_threads_share_the_cores():
    assert (FairQueue(total_cores=8).workers, FairQueue(total_cores=8).threads) == (8, 1)
    q = FairQueue(workers=2, total_cores=8)
    assert (q.workers, q.threads) == (2, 4)
    assert FairQueue(workers=4, total_cores=2).threads == 1


def test_with_share_idle_a_piece_alone_has_every_core_and_beside_others_what_they_leave():
    q = FairQueue(workers=2, total_cores=4, share_idle=True)
    alone = q.submit(Request("ann"))
    beside = q.submit(Request("bob"))
    later = q.submit(Request("cid"))
    assert (alone.threads, beside.threads) == (4, 1)  # never none: at least one each
    q.done(alone)
    assert later.state == RUNNING and later.threads == 3  # what bob's one leaves
    q.done(beside)
    q.done(later)
    with q.turn(Request("dan")) as threads:  # the turn hands the piece its share
        assert threads == 4
    plain = FairQueue(workers=2, total_cores=4)
    assert [plain.submit(Request(o)).threads for o in "ab"] == [2, 2]


def test_leaving_the_queue_removes_the_entry_and_nothing_runs_for_it():
    q = FairQueue(workers=1)
    blocker = busy(q)
    ticket = q.submit(Request("ann"))
    q.leave(ticket)
    assert ticket.state == LEFT and q.counts() == (1, 0)
    q.done(blocker)
    assert ticket.state == LEFT and q.counts() == (0, 0)


def test_should_stop_while_waiting_leaves_the_queue_without_running():
    q = FairQueue(workers=1)
    blocker = busy(q)
    stop, ran, tickets = threading.Event(), [], []

    def press():
        with q.turn(Request("ann"), stop.is_set, tickets.append):
            ran.append(1)

    waiter = InThread(press)
    until(lambda: len(tickets) == 1)
    stop.set()  # the Leave button, or a closed tab
    assert isinstance(waiter.error(), Stopped)
    assert tickets[0].state == LEFT and ran == []
    q.done(blocker)
    assert q.counts() == (0, 0)


def test_the_teacher_goes_ahead_of_waiting_students_but_stops_no_running_fit():
    q = FairQueue(workers=1)
    blocker = busy(q)
    students = [q.submit(Request(name)) for name in ("ann", "bob")]
    teacher = q.submit(Request("teacher", first=True))
    again = q.submit(Request("teacher's other tab", first=True))
    assert blocker.state == RUNNING
    assert [q.place(t).ahead for t in (teacher, again, *students)] == [0, 1, 2, 3]
    q.done(blocker)
    assert teacher.state == RUNNING and all(s.state == WAITING for s in students)


def test_an_error_in_one_piece_frees_its_worker_for_the_next():
    q = FairQueue(workers=1)
    gate, tickets, ran = threading.Event(), [], []

    def failing():
        with q.turn(Request("ann"), on_ticket=tickets.append):
            gate.wait(10)
            raise ValueError("a bug in Ann's fit")

    def fine():
        with q.turn(Request("bob"), on_ticket=tickets.append):
            ran.append("bob")

    first = InThread(failing)
    until(lambda: len(tickets) == 1)
    second = InThread(fine)
    until(lambda: len(tickets) == 2)
    assert tickets[1].state == WAITING
    gate.set()
    assert isinstance(first.error(), ValueError)
    second.result()
    assert ran == ["bob"] and q.counts() == (0, 0)


class _Spin(BackgroundJob):
    """Holds a worker of `queue` until stopped."""

    def __init__(self, queue: FairQueue, owner: str):
        super().__init__()
        self.queue, self.owner, self.ran = queue, owner, False
        self.ticket = None

    def _run(self) -> None:
        def took(ticket):
            self.ticket = ticket

        try:
            with self.queue.turn(Request(self.owner), self.should_stop, took):
                self.ran = True
                while not self.should_stop():
                    time.sleep(0.01)
        except Stopped:
            pass


def test_stopping_a_running_job_frees_its_worker():
    q = FairQueue(workers=1)
    ann, bob = _Spin(q, "ann").start(), None
    until(lambda: ann.ticket is not None and ann.ticket.state == RUNNING)
    bob = _Spin(q, "bob").start()
    until(lambda: bob.ticket is not None)
    assert bob.ticket.state == WAITING
    ann.stop()
    until(lambda: bob.ran)
    assert ann.wait(10) and ann.ticket.state == DONE
    bob.stop()
    assert bob.wait(10) and q.counts() == (0, 0)


def test_the_estimate_comes_from_finished_work_of_the_same_kind():
    q = FairQueue(workers=1)
    assert q.estimate(Request("x", "fast")) is None
    assert q.estimate(Request("x", "sag", prior=40.0)) == 40.0
    done = q.submit(Request("ann", "fast", size=2.0))
    q.done(done)
    per_unit = q.estimate(Request("x", "fast", size=1.0))
    assert per_unit is not None and per_unit >= 0
    assert q.estimate(Request("x", "fast", size=3.0)) == pytest.approx(3 * per_unit)
    blocker = q.submit(Request("bob", "fast"))
    ann = q.submit(Request("ann", "fast"))
    place = q.place(ann)
    assert place.state == WAITING and place.ahead == 0 and place.running == 1
    assert place.seconds is not None and place.seconds >= q.estimate(Request("x", "fast"))
    unknown = q.submit(Request("cy", "rbf"))
    assert q.place(unknown).seconds is None  # a kind never measured, and no prior
    q.done(blocker)


def test_the_waiting_words_say_the_place_and_the_estimate():
    head, when, note = waiting_words(Place(WAITING, 3, 2, 8.2))
    assert (head, when) == ("Fits ahead of yours: 3", "Your result in about 8 s")
    assert note.startswith("Running now: 2.")
    head, when, note = waiting_words(Place(WAITING, 0, 2, None), "sweep")
    assert "Yours is next" in head and when == "No estimate yet"
    head, _, _ = waiting_words(Place(WAITING, 1, 2, 3.0), shared=True)
    assert head == "Fits ahead of the same fit another session asked for: 1"
    _, when, _ = waiting_words(Place(WAITING, 9, 2, 150.0), "sweep")
    assert when == "Your result in about 2 min" and when.msgid == "Your result in about {time}"


def test_a_leave_button_pressed_as_the_turn_comes_does_not_free_a_worker_still_in_use():
    q = FairQueue(workers=1)
    running = q.submit(Request("ann"))
    q.leave(running, waiting_only=True)  # too late: it runs, and frees its worker when done
    assert running.state == RUNNING and q.counts() == (1, 0)
    q.done(running)
    assert q.counts() == (0, 0)
