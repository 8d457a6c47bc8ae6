from collections.abc import Sequence

from app.errors import InvalidInput


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
