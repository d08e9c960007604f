"""The console as web pages (sanic): app.py builds the app, context.py is what every route
needs, routes/ handles requests per area, pages/ renders the HTML, server.py runs it.
"""
