"""Request bodies for tests: valid by default, overridden per test."""

from itertools import count

from stdnum.fr import siret

_numbers = count(1)


def _luhn(base: str) -> str:
    for digit in "0123456789":
        if siret.is_valid(base + digit):
            return base + digit
    raise AssertionError(base)


def mandataire_body(**overrides) -> dict:
    body = {
        "type": "individuel",
        "nom": "Camille Testeur",
        "siret": _luhn(f"{next(_numbers):013d}"),
        "natures": [
            "curatelle_simple",
            "curatelle_renforcee",
            "tutelle",
            "sauvegarde_justice",
            "mesure_accompagnement_judiciaire",
        ],
        "departements": ["59"],
        "sites": [{"nom": "Bureau", "insee": "59350"}],
        "specialites": ["psychiatrie"],
        "capacite": 40,
    }
    body.update(overrides)
    return body


def mesure_body(**overrides) -> dict:
    body = {
        "tribunal": "17590111500709",  # Tribunal judiciaire de Lille
        "numero_rg": f"24/{next(_numbers):05d}",
        "nature": "curatelle_renforcee",
        "lieu_vie": "domicile",
        "residence": {"insee": "59350"},
        "civilite": "madame",
        "annee_naissance": 1950,
    }
    body.update(overrides)
    return body
