"""The pages' panels: each module is the Streamlit layout of one library concept, named after
it (`neighbours_panel` lays out digitlab.lab.neighbours, `modelfile_panel` the model files of
digitlab.training.modelfile). A panel arranges widgets and calls digitlab; what it shows is
decided there. Adding a panel is one file here, named `<concept>_panel.py`.

A subpackage, not page files: Streamlit serves the .py files directly inside pages/ as pages
(until app.py's st.navigation takes over; see pages/shared/nav.py). The glue every page shares
(session state, the page frame, cached figures, the page table) is pages/shared/.
"""
