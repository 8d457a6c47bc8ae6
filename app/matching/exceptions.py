from app.errors import NotFound


class MatchNotFound(NotFound):
    """A match request unknown, or another tribunal's."""

    default_code = "match_introuvable"
