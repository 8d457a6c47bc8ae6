"""Why this process is not ready to serve (the readiness check's problems), each with its stable code."""

from app.errors import Unavailable


class DatabaseUnreachable(Unavailable):
    default_code = "base_indisponible"


class MigrationsNotApplied(Unavailable):
    """The schema's revision is not the migration scripts' head (behind, or ahead of them)."""

    default_code = "migrations_non_appliquees"


class GeographyNotLoaded(Unavailable):
    default_code = "geographie_indisponible"
