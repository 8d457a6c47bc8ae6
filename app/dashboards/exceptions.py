from app.errors import InvalidInput


class InconsistentFilters(InvalidInput):
    """Filters that contradict each other (a département outside the région asked for...)."""

    default_code = "filtres_incoherents"


class ExportTooLarge(InvalidInput):
    default_code = "export_trop_grand"
