"""pages/shared/message_queue.py: a session's messages for its browser reach the page in the
order the run made them, whole, so the page never meets a message whose place it does not have
(in a class's Train burst, a page went white for good: "Bad delta path index 1").

Streamlit's own ForwardMsgQueue: the Train page's messages when a waiting fit's turn comes, read
by a small model of the page's tree that checks each place as the browser does; and the queue
filled by one thread (a run) and emptied by another (the event loop), the interpreter's lock
handed on at every step, as on a loaded server."""

from __future__ import annotations

import sys
import threading

import pytest
import streamlit
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime.forward_msg_queue import ForwardMsgQueue

from pages.shared import message_queue

PLACES = 2000
TRIALS = 8  # without the mend, 14 of 20 such trials lost, moved or refused a message


def _delta(path: list[int], kind: str) -> ForwardMsg:
    msg = ForwardMsg()
    msg.metadata.delta_path[:] = path
    if kind == "box":
        msg.delta.add_block.vertical.SetInParent()
    elif kind == "empty":
        msg.delta.new_element.empty.SetInParent()
    elif kind == "bar":
        msg.delta.new_element.progress.value = 5
    else:
        msg.delta.new_element.markdown.body = kind
    return msg


def _page_takes(messages: list[ForwardMsg]) -> None:
    """Apply `messages` as the page does (frontend's visitBlockNode): a place's last index may
    be at most its container's number of children; a block (add_block) replaces what was there,
    children and all. Raises ValueError as the page's "Bad delta path"."""
    root: list = [[]]  # [the main container]: a block is a list (its children), an element not
    for msg in messages:
        *above, last = msg.metadata.delta_path
        children = root
        for i in above:
            if not (0 <= i < len(children)) or not isinstance(children[i], list):
                raise ValueError(f"no container at {list(msg.metadata.delta_path)}")
            children = children[i]
        if not 0 <= last <= len(children):
            raise ValueError(f"Bad delta path index {last} (should be between "
                             f"[0, {len(children)}])")
        node = [] if msg.delta.WhichOneof("type") == "add_block" else "element"
        if last == len(children):
            children.append(node)
        else:
            children[last] = node


# The Train page when a fit waits: four elements above, then the place box at [0, 4] (its box
# with the line at [0, 4, 0, 0] and "Leave the queue" at [0, 4, 0, 1]).
WAITING_PAGE = [([0, i], "element") for i in range(4)] + [
    ([0, 4], "box"), ([0, 4, 0], "box"), ([0, 4, 0, 0], "Fits ahead of yours: 1"),
    ([0, 4, 0, 1], "Leave the queue")]
# The turn comes while the box's last line still waits in the queue: the page replaces the box
# with "Training…" (a status at [0, 4, 0], its bar and curve at [0, 4, 0, 0] and [0, 4, 0, 1])
# and moves the bar.
TURN_CAME = [([0, 4, 0, 0], "Yours is next"), ([0, 4], "box"), ([0, 4, 0], "box"),
             ([0, 4, 0, 0], "empty"), ([0, 4, 0, 1], "empty"), ([0, 4, 0, 0], "bar")]


def _sent(steps: list[tuple[list[int], str]]) -> list[ForwardMsg]:
    queue = ForwardMsgQueue()
    for path, kind in steps:
        queue.enqueue(_delta(path, kind))
    return queue.flush()


def test_a_waiting_fits_turn_comes_while_its_place_box_still_waits_to_be_sent():
    """Streamlit as it is sent the bar first, into the old box, and the curve to a place the
    new status did not have; mended, the page takes every message."""
    message_queue.install()
    sent = _sent(TURN_CAME)
    _page_takes([_delta(path, kind) for path, kind in WAITING_PAGE] + sent)
    kinds = [(list(m.metadata.delta_path), m.delta.WhichOneof("type")) for m in sent]
    assert kinds.index(([0, 4], "add_block")) < len(kinds) - 2
    assert sent[-2].delta.new_element.WhichOneof("type") == "progress"  # the bar, in its box
    assert list(sent[-2].metadata.delta_path) == [0, 4, 0, 0]


def test_the_page_model_refuses_what_the_browser_refused():
    """The model says what the browser said for the order Streamlit as it was sent (the
    websocket frames of a page that went white)."""
    bar_first = [([0, 4, 0, 0], "bar"), ([0, 4], "box"), ([0, 4, 0], "box"),
                 ([0, 4, 0, 1], "empty")]
    with pytest.raises(ValueError, match=r"Bad delta path index 1 \(should be between \[0, 0\]"):
        _page_takes([_delta(path, kind) for path, kind in WAITING_PAGE + bar_first])


def _message(place: int, text: str) -> ForwardMsg:
    msg = ForwardMsg()
    msg.metadata.delta_path[:] = [0, place]
    msg.delta.new_element.markdown.body = text
    return msg


def _trial() -> tuple[list[str], list[tuple[int, str]]]:
    """(what the run raised, (place, text) of every message the event loop sent, in order)."""
    queue, sent, raised = ForwardMsgQueue(), [], []
    done = threading.Event()

    def event_loop() -> None:
        while not done.is_set():
            sent.extend(queue.flush())
        sent.extend(queue.flush())

    loop = threading.Thread(target=event_loop)
    loop.start()
    try:
        for place in range(PLACES):
            queue.enqueue(_message(place, f"first {place}"))
            queue.enqueue(_message(place, f"then {place}"))
    except Exception as exc:  # Streamlit's queue as it is: IndexError
        raised.append(repr(exc))
    finally:
        done.set()
        loop.join()
    return raised, [(m.metadata.delta_path[1], m.delta.new_element.markdown.body) for m in sent]


def test_a_runs_messages_reach_the_page_whole_and_in_order_while_another_thread_sends_them():
    message_queue.install()
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for _ in range(TRIALS):
            raised, sent = _trial()
            assert raised == []
            assert all(text.endswith(f" {place}") for place, text in sent)  # each in its place
            firsts = list(dict.fromkeys(place for place, _ in sent))
            assert firsts == list(range(PLACES))  # every place, in the run's order
            last = dict(sent)
            assert all(last[place] == f"then {place}" for place in range(PLACES))
    finally:
        sys.setswitchinterval(interval)


def test_a_queue_made_before_the_mend_gets_its_lock_when_first_used():
    queue = ForwardMsgQueue()
    message_queue.install()
    queue.enqueue(_message(0, "one"))
    assert len(queue) == 1 and not queue.is_empty()
    assert [m.delta.new_element.markdown.body for m in queue.flush()] == ["one"]
    assert queue.is_empty()


def test_the_mend_is_in_place_on_the_streamlit_it_was_written_for():
    message_queue.install()
    assert message_queue.installed(), f"written for Streamlit {message_queue.MENDED}: check again"
    assert streamlit.__version__ == message_queue.MENDED
