"""The préposé obligation (CASF art. L. 472-5), stated once: a public establishment for elderly or disabled people
with more permanent places than the threshold (PREPOSE_OBLIGATION_PLACES, 80 by default) must have a préposé; it
is covered when an active préposé of the register serves it (its own establishment or by convention).

Hospitals and psychiatric hospitals are outside this rule (their categories are not for elderly or disabled people);
a USLD is for elderly people.
"""

from sqlalchemy import ColumnElement, and_, select

from app.registry.constants import CategorieEtablissement, MandataireStatut, MandataireType
from app.registry.models import Etablissement, Mandataire, MandataireEtablissement

# Categories of establishments for elderly or disabled people.
CATEGORIES_SOUMISES = frozenset(
    {
        CategorieEtablissement.EHPAD,
        CategorieEtablissement.USLD,
        CategorieEtablissement.RESIDENCE_AUTONOMIE,
        CategorieEtablissement.FOYER_ACCUEIL_MEDICALISE,
        CategorieEtablissement.MAISON_ACCUEIL_SPECIALISEE,
        CategorieEtablissement.FOYER_PERSONNES_HANDICAPEES,
    }
)


def is_obliged(*, public: bool, categorie: str, places_permanentes: int, seuil: int) -> bool:
    return public and categorie in CATEGORIES_SOUMISES and places_permanentes > seuil


def obliged(seuil: int) -> ColumnElement[bool]:
    """The same rule as `is_obliged`, as a filter on Etablissement."""
    return and_(
        Etablissement.public.is_(True),
        Etablissement.categorie.in_(sorted(CATEGORIES_SOUMISES)),
        Etablissement.places_permanentes > seuil,
    )


def covered() -> ColumnElement[bool]:
    """Covered by an active préposé (an uncorrelated IN: the covered establishments are listed once)."""
    return Etablissement.id.in_(
        select(MandataireEtablissement.etablissement_id)
        .join(Mandataire, Mandataire.id == MandataireEtablissement.mandataire_id)
        .where(Mandataire.type == MandataireType.PREPOSE, Mandataire.statut == MandataireStatut.ACTIF)
    )
