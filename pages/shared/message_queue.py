"""Two mends to the Streamlit server (1.67), installed by app.py, both to a session's queue of
messages for its browser (ForwardMsgQueue): its messages reach the page in the order the run
made them, whole.

1. Nothing is put before a block that replaced it. The queue saves messages by writing a new
   message over a waiting one for the same place (delta path): a run that redraws a line sends
   it once. It also did so when a container over that place had been replaced in between, so the
   new message jumped ahead of the container it belongs in. The Train page met this when a
   waiting fit's turn came: the place box's last line still waited in the queue (a loaded server
   sends late), the page replaced the box by "Training…", whose progress bar has the same place
   as that line, so the bar went out first, into the old box, and the new box arrived empty;
   its next element ("index 1") then had no place: "Bad delta path index 1 (should be between
   [0, 0])" in the page, which unmounts the whole app. The page went white for good and the
   student never saw their result: one page in about 120 of the class's Train bursts
   (benchmarks/class_train, twenty students; the browser's websocket frames of such a page
   showed that order). Now a container that replaces a place forgets the waiting messages below
   it, so what comes after goes after it.
2. One thread at a time. The queue says of itself that it "is not thread-safe - a queue should
   only be used from a single thread", yet the script thread fills it while the event loop
   empties it (`flush`, every few milliseconds). When the two interleave, a message is written
   at an index of the other's list: it is lost, lands elsewhere, or `enqueue` raises IndexError.
   Streamlit's 5 ms switch interval makes that rare; this server hands the interpreter's lock
   on every 1 ms (digitlab.runtime.threads.quick_handoffs). Each queue now has a lock that
   enqueue, flush, clear and the queue's size take; uncontended, well under a microsecond."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

import streamlit
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime.forward_msg_queue import ForwardMsgQueue

MENDED = "1.67.0"  # the Streamlit this mends (pinned in requirements.txt); see installed()
_INSTALLED = "_digitlab_message_queue"
_LOCK = "_digitlab_lock"  # on a ForwardMsgQueue: its lock
_GUARDED = ("flush", "clear", "is_empty", "__len__", "get_debug")


def _lock_of(queue: ForwardMsgQueue) -> threading.RLock:
    """The queue's lock (reentrant: flush calls clear); made on first use, so a queue made
    before install() has one too (app.py's module runs install() inside a session's run). Two
    threads' first uses get the same lock: a dict's setdefault with a str key is one step
    under the interpreter's lock."""
    lock = queue.__dict__.get(_LOCK)
    return lock if lock is not None else queue.__dict__.setdefault(_LOCK, threading.RLock())


def _locked(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def call(self: ForwardMsgQueue, *args: Any, **kwargs: Any) -> Any:
        with _lock_of(self):
            return method(self, *args, **kwargs)
    return call


def _forget_below(queue: ForwardMsgQueue, msg: ForwardMsg) -> None:
    """A container (add_block) at a place replaces whatever was there: the waiting messages
    for places below it are no longer written over by later ones (Streamlit's map of
    place -> index in the queue, which it only ever adds to between flushes)."""
    if not msg.HasField("delta") or msg.delta.WhichOneof("type") != "add_block":
        return
    top = tuple(msg.metadata.delta_path)
    depth = len(top)
    index = queue._delta_index_map
    for place in [p for p in index if len(p) > depth and p[:depth] == top]:
        del index[place]


def install() -> None:
    """Mend ForwardMsgQueue (once per server: the class, so every session's queue has it)."""
    if getattr(ForwardMsgQueue, _INSTALLED, False):
        return
    enqueue = ForwardMsgQueue.enqueue

    def _enqueue(self: ForwardMsgQueue, msg: ForwardMsg) -> None:
        with _lock_of(self):
            _forget_below(self, msg)
            enqueue(self, msg)

    ForwardMsgQueue.enqueue = _enqueue  # type: ignore[method-assign]
    for name in _GUARDED:
        setattr(ForwardMsgQueue, name, _locked(getattr(ForwardMsgQueue, name)))
    setattr(ForwardMsgQueue, _INSTALLED, True)


def installed() -> bool:
    """Whether the mend is in place, on the Streamlit it was written for (a test says so when
    an upgrade makes it worth checking again)."""
    return bool(getattr(ForwardMsgQueue, _INSTALLED, False)) and streamlit.__version__ == MENDED
