"""DigitLab: `python app.py` (what `python3 run.py app` runs). The entry point: page setup, the
navigation and the sidebar status; each page lives in pages/ and only arranges widgets around
calls into digitlab.

st.navigation rather than Streamlit's automatic pages, because it lets the first page be called
"Home" (the folder convention would label it "app") and gives every page a short URL. The page
files' names differ from their URLs on purpose: pages/shared/nav.py says why.
"""

import os
import sys

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

if __name__ == "__main__" and get_script_run_ctx(suppress_warning=True) is None:
    # `python app.py [--server.port 8600 ...]` starts the server itself. Why not `streamlit run
    # app.py`: while a pages/ folder exists, a fresh server answers its very first request in
    # Streamlit's old pages mode (pages by file name), so a shared link such as /draw opened
    # first shows a "Page not found" box over the page until st.navigation below has run once.
    # Saying up front that this app navigates with st.navigation removes that (browser test).
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli

    PagesManager.uses_pages_directory = False
    from digitlab.runtime import memory

    memory.few_arenas()  # first, before any thread: what a page's run frees is reused by the next
    from digitlab.runtime import childproc

    childproc.warm()  # the children's fork server imports scikit-learn now, not at a first fit
    from pages.shared import state

    state.PREPARE_DEFAULT = True  # the default model, and the Fast fits' features, made early
    from digitlab.runtime import threads

    threads.quick_handoffs()  # a thread that waits on SQLite or a socket gets its turn sooner
    from pages.shared import class_signal

    class_signal.install()  # the class address students' pages ask (class_signal says why)
    from pages.shared import session_lock

    session_lock.install()  # before the first session's first run: one lock per session's state
    from pages.shared import message_queue

    message_queue.install()  # a session's messages reach its page whole, in the order made
    sys.argv = ["streamlit", "run", __file__, *sys.argv[1:]]
    sys.exit(cli.main())

from pages.panels import classroom_panel, questions_panel  # noqa: E402
from pages.shared import (  # noqa: E402  (after the launcher)
    browser,
    chrome,
    class_push,
    frame,
    handoff,
    i18n,
    leave_guard,
    message_queue,
    nav,
    projector,
    session_lock,
    state,
)
from pages.shared.i18n import _  # noqa: E402

handoff.install()  # the server's: a run's last messages reach the page before the next run
session_lock.install()  # (done by the launcher already; here too for a server started otherwise)
message_queue.install()  # (the same)

# The page icon is a file of ours (sent inline, as a data: URL): a ":material/...:" icon here
# makes the browser fetch its picture from fonts.gstatic.com on every visit, which a school's
# firewall blocks and which tells Google a student opened the page. (Material icons on
# buttons and in the navigation are drawn from the font that ships with Streamlit.)
ICON = os.path.join(os.path.dirname(os.path.abspath(__file__)), "assets", "icon.svg")
st.set_page_config(page_title="DigitLab", page_icon=ICON, layout="wide")

i18n.choose()  # before anything is written: the page titles in the navigation are translated
projector.choose()  # ?projector=1 (a lesson link) or the session's own choice
page = nav.navigation()
chrome.speak()  # <html lang> and Streamlit's own labels in the session's language
# Less empty space above the title: on a 1280x800 projector every line counts.
st.html("<style>[data-testid='stMainBlockContainer']{padding-top:2.2rem;padding-bottom:2rem}"
        "[data-testid='stSidebarHeader']{height:1rem}"
        # the leave guard draws nothing: out of the column's flow, it adds no gap either
        ".st-key-digitlab_leave_guard{position:absolute}</style>")
with frame.guard(_("The sidebar")):
    frame.sidebar_status(state.dataset(), state.trained())
    i18n.picker()
    projector.toggle()
    browser.close_sidebar_after_navigation()
    # the teacher's unlock and a session's runs live in this tab only: ask before a reload
    leave_guard.warn_before_leaving(bool(state.history().runs) or classroom_panel.is_teacher())
browser.compact_on_phones()
browser.show_focus()
projector.style()
with frame.guard(_("The class")):
    class_push.frame(classroom_panel.is_teacher(), page.url_path)  # class mode: the roster


def after_the_page() -> None:
    with frame.guard(_("The class")):
        class_push.after_page(classroom_panel.is_teacher(), page.url_path,
                              questions_panel.answer_here)


frame.after_page(after_the_page)  # also drawn by a page that stops early (frame.stop)
page.run()
frame.finish()  # class mode: a student's name field and the push, after the page
