"""The fair queue on a page (digitlab.runtime.fairqueue): while a job waits for its turn, its
place and an estimate in large type, updated live, and a button to leave the queue.

The place is a fragment that reruns every POLL_S on its own (the page's script has ended: a
waiting student holds no script thread); when the job's turn comes, it reruns the whole page,
which then follows the running job."""

from __future__ import annotations

import streamlit as st

from digitlab.runtime.fairqueue import waiting_words

POLL_S = 0.5  # how often the place and the estimate are drawn again


def waiting(job, noun: str, key: str) -> None:
    """Where `job` (a TrainingJob or a SweepJob, waiting in its queue) stands and when its
    result should come, kept up to date, and "Leave the queue"."""
    box = st.container(border=True)
    with box:
        _place(job, noun)
    if box.button("Leave the queue", key=key, icon=":material/logout:",
                  help=f"Takes your {noun} out of the queue: nothing runs for it, and what you "
                       "had stays."):
        job.leave()
        job.wait(2.0)  # it ends at once: the rerun shows why
        st.rerun()


@st.fragment(run_every=POLL_S)
def _place(job, noun: str) -> None:
    where = job.waiting() if job.running else None
    if where is None:  # its turn came, or it ended: the page shows what now
        st.rerun(scope="app")
    else:
        place, shared = where
        head, when, note = waiting_words(place, noun, shared)
        st.markdown(f"## :material/hourglass_top: {head}\n\n### {when}\n\n{note}")
