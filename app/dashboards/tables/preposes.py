"""Public establishments over the threshold of permanent places that no active préposé covers."""

from sqlalchemy import ColumnElement, and_, case, func, not_, select
from sqlalchemy.orm import Session

from app.dashboards.perimeter import Perimetre
from app.dashboards.table import Contenu, Table, colonne
from app.geo.gazetteer import Gazetteer
from app.registry.constants import CATEGORIE_ETABLISSEMENT_LABELS, MandataireStatut, MandataireType
from app.registry.models import Etablissement, Mandataire, MandataireEtablissement

OBLIGED_PLACES = 80  # public establishments with more permanent places must have a préposé


def _covered_by_prepose() -> ColumnElement[bool]:
    """Covered by an active préposé (an uncorrelated IN: the covered establishments are listed once)."""
    return Etablissement.id.in_(
        select(MandataireEtablissement.etablissement_id)
        .join(Mandataire, Mandataire.id == MandataireEtablissement.mandataire_id)
        .where(Mandataire.type == MandataireType.PREPOSE, Mandataire.statut == MandataireStatut.ACTIF)
    )


def preposes(session: Session, *, gazetteer: Gazetteer, perimetre: Perimetre) -> Contenu:
    obliged = and_(Etablissement.public.is_(True), Etablissement.places_permanentes > OBLIGED_PLACES)
    if perimetre.departements is not None or perimetre.tribunal is not None:
        obliged = and_(obliged, Etablissement.departement.in_(perimetre.codes(gazetteer)))
    covered = _covered_by_prepose()
    counts = session.execute(select(func.count(), func.sum(case((covered, 1), else_=0))).where(obliged)).one()
    total_obliged, compliant = int(counts[0]), int(counts[1] or 0)
    rows = session.execute(
        select(
            Etablissement.finess,
            Etablissement.nom,
            Etablissement.categorie,
            Etablissement.insee,
            Etablissement.departement,
            Etablissement.places_permanentes,
        )
        .where(obliged, not_(covered))
        .order_by(Etablissement.departement, Etablissement.places_permanentes.desc(), Etablissement.finess)
    )
    lignes = [
        {
            "finess": row.finess,
            "etablissement": row.nom,
            "categorie": row.categorie,
            "insee": row.insee,
            "commune": commune.nom if (commune := gazetteer.communes.get(row.insee)) else None,
            "departement": row.departement,
            "places_permanentes": row.places_permanentes,
        }
        for row in rows
    ]
    missing = total_obliged - compliant
    share = f"{100 * compliant / total_obliged:.1f} %".replace(".", ",") if total_obliged else "sans objet"
    return Contenu(
        lignes=lignes,
        totaux={
            "finess": "Total",
            "etablissement": f"{len(lignes)} établissements",
            "places_permanentes": sum(row["places_permanentes"] for row in lignes),
        },
        note=(
            f"{total_obliged} établissements publics de plus de {OBLIGED_PLACES} places permanentes doivent avoir "
            f"un préposé : {compliant} en ont un ({share}), {missing} n'en ont pas. Un établissement est couvert "
            "quand un préposé actif le dessert (le sien ou par convention)."
        ),
        filtres=perimetre.filtres(type=None),
    )


TABLE = Table(
    nom="preposes",
    titre=f"Établissements publics de plus de {OBLIGED_PLACES} places sans préposé",
    description=f"Établissements publics de plus de {OBLIGED_PLACES} places permanentes qu'aucun préposé actif ne "
    "couvre.",
    colonnes=(
        colonne("finess", "FINESS", "texte"),
        colonne("etablissement", "Établissement", "texte"),
        colonne("categorie", "Catégorie", "texte"),
        colonne("insee", "Code INSEE", "texte"),
        colonne("commune", "Commune", "texte"),
        colonne("departement", "Département", "texte"),
        colonne("places_permanentes", "Places permanentes"),
    ),
    calcul=preposes,
    ordre=8,
    codes={"categorie": CATEGORIE_ETABLISSEMENT_LABELS},
)
