"""Built-in templates, style and script of the show page and episode pages (package data for podcast/site.py)."""
