"""DigitLab: `streamlit run app.py`. The entry point: page setup, the navigation and the sidebar
status; each page lives in views/ and only arranges widgets around calls into digitlab.

st.navigation rather than the automatic pages/ folder, because it lets the first page be called
"Home" (the folder convention would label it "app") and gives every page a short URL. The folder
is views/, not pages/: Streamlit still treats a pages/ folder as pages of its own when a link
such as /train is opened directly, and would run that file without this entry point.
"""

import streamlit as st

from digitlab import ui

st.set_page_config(page_title="DigitLab", page_icon=":material/draw:", layout="wide")

PAGES = [st.Page(ui.PAGES[name], title=name.title(), icon=ui.ICONS[name], url_path=name,
                 default=name == "home") for name in ui.PAGES]
page = st.navigation(PAGES)
# Less empty space above the title: on a 1280x800 projector every line counts.
st.html("<style>[data-testid='stMainBlockContainer']{padding-top:2.2rem;padding-bottom:2rem}"
        "[data-testid='stSidebarHeader']{height:1rem}</style>")
with ui.guard("The sidebar"):
    ui.sidebar_status(ui.dataset(), ui.trained())
page.run()
