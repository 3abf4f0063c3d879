"""The base of DigitLab: how background work runs, and how much of the machine it takes.

    threads    BLAS threads per fit, the low CPU priority of background work, and how often
               the server's threads hand over the interpreter's lock
    jobs       BackgroundJob: work in a daemon thread that a page polls and can stop; Stopped
    fairqueue  FairQueue: at most N pieces of work at once, first come first served per owner
               (one waiting entry each, the teacher's first), a place and an estimate to show
    childproc  child processes for fits and sweeps, arrays shared with them without pickle
    forkserver the process that forks those children, scikit-learn imported once (Linux)
    forkclient the server's side of it: ForkServer.spawn, ForkedChild (as Popen)

childproc's names are not re-exported: it is also the children's entry
(`python -m digitlab.runtime.childproc`), and a package that imported it first would make
Python run it twice; its users (the solvers, the sweeps, fitting) import the module.
"""

from digitlab.runtime.fairqueue import FairQueue, Place, QueuedJob, Request, Ticket
from digitlab.runtime.jobs import ABANDON_AFTER_S, BackgroundJob, Stopped
from digitlab.runtime.threads import BACKGROUND_NICE, background_process, blas_limit, lower_priority

__all__ = ["ABANDON_AFTER_S", "BACKGROUND_NICE", "BackgroundJob", "FairQueue", "Place",
           "QueuedJob", "Request", "Stopped", "Ticket", "background_process", "blas_limit",
           "lower_priority"]
