"""The fair queue on a page (digitlab.runtime.fairqueue): while a job waits for its turn, its
place and an estimate in large type, updated live, and a button to leave the queue."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import streamlit as st

from digitlab.runtime.fairqueue import waiting_words
from pages.shared import chrome, state
from pages.shared.i18n import N_, _
from pages.shared.sent import LastSent

POLL_S = 0.25  # how often the place and the estimate are looked at
# ...and drawn again at most this often: when a class waits, every fit that ends moves every
# waiting student's place, and each move is a redraw in each of their browsers (N=20 on the
# server's two cores, benchmarks/class_train: 218-242 place redraws a burst at every change,
# 76-85 at most every 2 s; the browsers' CPU 33-37 s against 29-32 s, the median result
# 14.3-15.8 s against 12.1-13.7 s, four bursts each, alternated). The turn itself is not held
# back: it ends the wait at once.
PLACE_EVERY_S = 2.0


def queued(job) -> bool:
    """Whether `job` (a TrainingJob, a SweepJob, or None) waits in its queue for a turn."""
    return job is not None and job.waiting() is not None


def wait_turn(job, slot, noun: str, key: str,
              follow: Callable[[Any], None] | None = None) -> None:
    """Last thing in a page's run, once the page is drawn: while `job` waits, its place in
    `slot` (kept up to date: `waiting`). When its turn comes, `follow(job)` draws it running
    in `slot`, in this run, and the page runs again when it ends; without `follow`, the page
    runs again at once to follow it. (In the middle of the run, the loop left the page below it
    greyed out as stale for as long as the job waited.) `slot` is an st.empty: what the job
    is doing replaces its place."""
    with slot.container():
        waiting(job, noun, key)
    if state.session_alive() is None or (job.running and job.waiting() is not None):
        return  # AppTest (the place drawn once), or a browser gone while the job waits
    if job.running and follow is not None:
        # one run of the page fewer per waiting student (a class's burst: twenty)
        with slot.container():
            follow(job)
    # Its turn came: follow it, or draw what it made. Also when it has ended already: its turn
    # came and a quick fit finished while the page above was drawn (or it joined work that
    # ended), and without this run its page kept the place box with no result, for good.
    st.rerun()


def waiting(job, noun: str, key: str) -> None:
    """While `job` (a TrainingJob or a SweepJob) waits in its queue: where it stands and when
    its result should come, kept up to date, and "Leave the queue"; returns once it no longer
    waits (the page reruns then). Outside a served app (AppTest) it draws the place once."""
    chrome.no_running_icon()  # this box says what the run waits for, live
    box = st.container(border=True)
    message = box.empty()
    leave_help = {"fit": N_("Takes your fit out of the queue: nothing runs for it, and what you "
                            "had stays."),
                  "sweep": N_("Takes your sweep out of the queue: nothing runs for it, and what "
                              "you had stays.")}[noun]
    if box.button(_("Leave the queue"), key=key, icon=":material/logout:", help=_(leave_help)):
        job.leave()
        job.wait(2.0)  # it ends at once: the rerun shows why
        st.rerun()
    alive = state.session_alive()  # None, or False for a session no browser holds (AppTest)
    shown = LastSent(every=PLACE_EVERY_S)
    while job.running:
        where = job.waiting()
        if where is None:
            return
        place, shared = where
        head, when, note = waiting_words(place, noun, shared)
        words = _("## :material/hourglass_top: {head}\n\n### {when}\n\n{note}",
                  head=_(head), when=_(when), note=_(note))
        if shown.changed(words):  # a class waiting at once is 20 pages polling
            message.markdown(words)
        if alive is None or not alive():
            return
        time.sleep(POLL_S)
