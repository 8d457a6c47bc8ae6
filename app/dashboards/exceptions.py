from app.auth.exceptions import Forbidden


class OutsideTerritory(Forbidden):
    """A filter reaching outside the caller's territory: refused, never silently emptied."""

    default_code = "hors_territoire"
