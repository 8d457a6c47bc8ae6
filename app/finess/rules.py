"""From FINESS codes to the register's establishment (pure).

- Category: FINESS establishment categories (nomenclature TRE_R66-CategorieEtablissement) of the places where
  protected people live; any other category (pharmacies, laboratories, services at home, children's homes...) is
  not imported.
- Public: the legal entity's statut juridique (nomenclature TRE_R72-StatutJuridique) in the aggregate
  « Organismes et établissements publics » (codes 01 to 29: State, local authorities, public hospitals, CCAS,
  public social and medico-social establishments); without the legal entities' extract, a health establishment
  flagged « établissement public de santé » (codesph 1).
- Permanent places: the authorised capacity (capautot, else the installed one) of the social and medico-social
  equipment in « hébergement complet internat » (activité 11), authorisations and installations withdrawn left
  out; temporary accommodation and day care have other activity codes.
"""

from collections.abc import Iterable

from app.finess.reader import Equipement
from app.registry.constants import CategorieEtablissement as C

CATEGORIES: dict[str, C] = {
    "500": C.EHPAD,  # Établissement d'hébergement pour personnes âgées dépendantes
    "501": C.RESIDENCE_AUTONOMIE,  # EHPA percevant des crédits d'assurance maladie
    "502": C.RESIDENCE_AUTONOMIE,  # EHPA ne percevant pas de crédits d'assurance maladie
    "202": C.RESIDENCE_AUTONOMIE,  # Résidence autonomie (ex logement-foyer)
    "381": C.RESIDENCE_AUTONOMIE,  # Établissement expérimental pour personnes âgées
    "362": C.USLD,  # Établissement de soins longue durée
    "255": C.MAISON_ACCUEIL_SPECIALISEE,  # Maison d'accueil spécialisée
    "437": C.FOYER_ACCUEIL_MEDICALISE,  # Foyer d'accueil médicalisé pour adultes handicapés
    "448": C.FOYER_ACCUEIL_MEDICALISE,  # Établissement d'accueil médicalisé pour personnes handicapées
    "252": C.FOYER_PERSONNES_HANDICAPEES,  # Foyer d'hébergement pour adultes handicapés
    "253": C.FOYER_PERSONNES_HANDICAPEES,  # Foyer d'accueil polyvalent pour adultes handicapés
    "382": C.FOYER_PERSONNES_HANDICAPEES,  # Foyer de vie pour adultes handicapés
    "449": C.FOYER_PERSONNES_HANDICAPEES,  # Établissement d'accueil non médicalisé pour personnes handicapées
    "379": C.FOYER_PERSONNES_HANDICAPEES,  # Établissement expérimental pour adultes handicapés
    "395": C.FOYER_PERSONNES_HANDICAPEES,  # Établissement d'accueil temporaire pour adultes handicapés
    "101": C.HOPITAL,  # Centre hospitalier régional
    "106": C.HOPITAL,  # Centre hospitalier, ex hôpital local
    "355": C.HOPITAL,  # Centre hospitalier
    "292": C.HOPITAL_PSYCHIATRIQUE,  # Centre hospitalier spécialisé lutte maladies mentales
}

HEBERGEMENT_COMPLET = "11"
PUBLIC_STATUTS = frozenset(f"{code:02d}" for code in range(1, 30))
SPH_PUBLIC = "1"


def categorie(code: str) -> C | None:
    return CATEGORIES.get(code)


def public(*, statut_juridique: str | None, sph: str | None) -> bool | None:
    """True or False from the legal entity's statut; from the health flag without it; None when neither says."""
    if statut_juridique:
        return statut_juridique in PUBLIC_STATUTS
    if sph == SPH_PUBLIC:
        return True
    return None


def places_permanentes(equipements: Iterable[Equipement]) -> int:
    return sum(
        (e.capacite_autorisee if e.capacite_autorisee is not None else e.capacite_installee or 0)
        for e in equipements
        if e.activite == HEBERGEMENT_COMPLET and not e.supprime
    )
