"""Measures, tribunals and antennes as e-MJPM's vendor API answers them (its field names and codes)."""

from typing import Any

from app.editors.constants import EMJPM_CHAMP, EMJPM_NATURE
from app.geo.gazetteer import Gazetteer
from app.registry.models import Mesure


def _day(value) -> str | None:
    return value.isoformat() if value is not None else None


def _point(gazetteer: Gazetteer, mesure: Mesure) -> tuple[float | None, float | None]:
    """The centroid of the person's commune: e-MJPM answers a point, this service keeps none."""
    place = gazetteer.communes.get(mesure.insee or "") or gazetteer.belgian.get(mesure.nis or "")
    if place is None and mesure.pays == "FR" and mesure.code_postal:
        # Only the postcode is known (several communes): its first commune, as e-MJPM geocodes the postcode.
        place = next(iter(gazetteer.communes_by_postcode.get(mesure.code_postal, [])), None)
    return (round(place.lat, 5), round(place.lon, 5)) if place is not None else (None, None)


def _etat(values: tuple) -> dict[str, Any]:
    changed, nature, champ, lieu_vie, code_postal, ville, pays, type_etablissement, _siret = values
    return {
        "champ_mesure": EMJPM_CHAMP.get(champ, champ) if champ else None,
        "code_postal": code_postal,
        "date_changement_etat": _day(changed),
        "lieu_vie": lieu_vie,
        "nature_mesure": EMJPM_NATURE.get(nature, nature),
        "pays": pays,
        "type_etablissement": type_etablissement,
        "ville": ville,
    }


def mesure_out(mesure: Mesure, history: tuple[list[tuple], list[tuple]], gazetteer: Gazetteer) -> dict[str, Any]:
    """A measure as e-MJPM's `sanitizeMesureProperties`. A measure that never sent states (declared here, or by
    the flat shape) shows its current state as its only one."""
    etats, ressources = history
    if not etats:
        current = (mesure.date_nomination, mesure.nature, mesure.champ, mesure.lieu_vie, mesure.code_postal)
        etats = [(*current, mesure.commune, mesure.pays, mesure.type_etablissement, None)]
    latitude, longitude = _point(gazetteer, mesure)
    return {
        "id": mesure.id,
        "created_at": mesure.created_at.isoformat(),
        "annee_naissance": mesure.annee_naissance,
        "antenne_id": mesure.site_id,
        "cause_sortie": mesure.cause_sortie,
        "civilite": mesure.civilite,
        "date_fin_mesure": _day(mesure.date_fin_mesure),
        "date_nomination": _day(mesure.date_nomination),
        "date_premier_mesure": _day(mesure.date_premier_mesure),
        "date_protection_en_cours": _day(mesure.date_protection_en_cours),
        "etats": [_etat(etat) for etat in etats],
        "latitude": latitude,
        "longitude": longitude,
        "numero_dossier": mesure.numero_dossier,
        "numero_rg": mesure.numero_rg,
        "ressources": [
            {"annee": annee, "niveau_ressource": niveau, "prestations_sociales": list(prestations)}
            for annee, niveau, prestations in ressources
        ],
        "resultat_revision": mesure.resultat_revision,
        "tribunal_siret": mesure.tribunal.siret,
    }


def tribunal_out(gazetteer: Gazetteer, entry) -> dict[str, Any]:
    commune = gazetteer.communes.get(entry.insee)
    return {
        "adresse": entry.adresse,
        "code_postal": commune.codes_postaux[0] if commune is not None and commune.codes_postaux else None,
        "latitude": entry.lat,
        "longitude": entry.lon,
        "nom": entry.nom,
        "siret": entry.siret,
        "ville": entry.commune,
    }


def antenne_out(gazetteer: Gazetteer, site) -> dict[str, Any]:
    commune = gazetteer.communes.get(site.insee)
    return {
        "id": site.id,
        "nom": site.nom,
        "adresse": None,
        "code_postal": commune.codes_postaux[0] if commune is not None and commune.codes_postaux else None,
        "ville": commune.nom if commune is not None else None,
    }
