"""DigitLab: `streamlit run app.py`. The entry point: page setup, the navigation and the sidebar
status; each page lives in pages/ and only arranges widgets around calls into digitlab.

st.navigation rather than the automatic pages/ folder, because it lets the first page be called
"Home" (the folder convention would label it "app") and gives every page a short URL.
"""

import streamlit as st

from digitlab import ui

st.set_page_config(page_title="DigitLab", page_icon="✏️", layout="wide")

PAGES = [
    st.Page(ui.PAGES["home"], title="Home", icon="🏠", url_path="home", default=True),
    st.Page(ui.PAGES["train"], title="Train", icon="🏋️", url_path="train"),
    st.Page(ui.PAGES["gallery"], title="Gallery", icon="🖼️", url_path="gallery"),
    st.Page(ui.PAGES["draw"], title="Draw", icon="✏️", url_path="draw"),
]
page = st.navigation(PAGES)
with ui.guard("The sidebar"):
    ui.sidebar_status(ui.dataset(), ui.trained())
page.run()
