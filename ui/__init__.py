"""The Streamlit pages and what they share; ``app.py`` is the entry."""
