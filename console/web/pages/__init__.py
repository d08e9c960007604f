"""HTML of the console's pages: layout.py frames them, one module per page."""
