"""DigitLab: `streamlit run app.py`. The entry point: page setup, the navigation and the sidebar
status; each page lives in pages/ and only arranges widgets around calls into digitlab.

st.navigation rather than Streamlit's automatic pages, because it lets the first page be called
"Home" (the folder convention would label it "app") and gives every page a short URL. The page
files' names differ from their URLs on purpose: pages/shared/nav.py says why.
"""

import streamlit as st

from pages.shared import browser, frame, nav, state

st.set_page_config(page_title="DigitLab", page_icon=":material/draw:", layout="wide")

page = nav.navigation()
# Less empty space above the title: on a 1280x800 projector every line counts.
st.html("<style>[data-testid='stMainBlockContainer']{padding-top:2.2rem;padding-bottom:2rem}"
        "[data-testid='stSidebarHeader']{height:1rem}</style>")
with frame.guard("The sidebar"):
    frame.sidebar_status(state.dataset(), state.trained())
    browser.close_sidebar_after_navigation()
browser.compact_on_phones()
page.run()
