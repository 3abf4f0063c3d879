"""AppTest tests: every page of the real app.py (navigation, sidebar and all), run in process."""
