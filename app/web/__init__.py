"""Server-rendered web pages (French, Jinja2): sign-in, the agents' dashboards, the judge's page."""
