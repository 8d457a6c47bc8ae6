from collections.abc import Sequence

from app.errors import InvalidInput, NotFound


class UnknownTribunal(InvalidInput):
    default_code = "tribunal_inconnu"

    def __init__(self, key: str, *, loc: Sequence[str | int]) -> None:
        super().__init__(f"tribunal inconnu : {key} (SIRET ou code attendu)", loc=loc)


class UnknownDepartement(InvalidInput):
    default_code = "departement_inconnu"


class UnknownRegion(InvalidInput):
    default_code = "region_inconnue"


class UnknownInsee(InvalidInput):
    default_code = "insee_inconnu"


class UnknownCodePostal(InvalidInput):
    default_code = "code_postal_inconnu"


class UnknownCommune(InvalidInput):
    """A commune name that is not one of the communes of the postcode given with it."""

    default_code = "commune_inconnue"


class UnknownNis(InvalidInput):
    default_code = "nis_inconnu"


class OutsideCoverage(InvalidInput):
    """A point neither in France (metropolitan, overseas départements) nor in Belgium."""

    default_code = "hors_zone_couverte"


class GeocodingUnavailable(InvalidInput):
    default_code = "geocodage_indisponible"


class CommuneNotFound(NotFound):
    default_code = "commune_introuvable"
