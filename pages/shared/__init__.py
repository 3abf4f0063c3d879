"""The Streamlit glue the pages share: the page table, session state and shared caches, cached
figures, and the page frame (sidebar, guards). A subpackage, not page files: Streamlit serves
only the .py files directly inside pages/, and only until app.py's st.navigation takes over.
"""
