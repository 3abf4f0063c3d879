"""The Streamlit glue the pages share: the page table, session state and shared caches, cached
figures, the page frame (sidebar, guards) and what the browser does itself. A subpackage, not
page files: Streamlit serves only the .py files directly inside pages/, and only until app.py's
st.navigation takes over. The panels (one library concept each) are pages/panels/.
"""
