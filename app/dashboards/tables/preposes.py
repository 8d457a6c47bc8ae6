"""The préposé obligation (`app.registry.obligation`): the establishments under it that no active préposé covers
(by default), every establishment under it with the préposés that cover it, or the coverage per département or
région. The threshold of permanent places is PREPOSE_OBLIGATION_PLACES."""

from typing import Annotated, Any, Literal

from fastapi import Query
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.dashboards.folding import TERRITOIRE, ratio, territory_cells, territory_code, territory_keys
from app.dashboards.perimeter import Perimetre
from app.dashboards.schemas import Value
from app.dashboards.table import Contenu, Table, Variante, colonne
from app.dependencies import SettingsDep
from app.geo.gazetteer import Gazetteer
from app.registry.constants import CATEGORIE_ETABLISSEMENT_LABELS, MandataireStatut, MandataireType
from app.registry.models import Etablissement, Mandataire, MandataireEtablissement
from app.registry.obligation import obliged

ParObligation = Literal["sans_prepose", "etablissement", "departement", "region"]
LISTE = ["finess", "etablissement", "categorie", "insee", "commune", "departement", "places_permanentes"]


def parametres(
    settings: SettingsDep,
    par: Annotated[
        ParObligation,
        Query(
            description="Les établissements soumis sans préposé, tous les établissements soumis, ou la couverture "
            "par département ou par région"
        ),
    ] = "sans_prepose",
) -> dict[str, Any]:
    return {"par": par, "seuil": settings.prepose_obligation_places}


def _note(seuil: int) -> str:
    return (
        "Obligation d'un préposé (CASF, art. L. 472-5) : établissement public pour personnes âgées ou handicapées "
        f"(EHPAD, résidence autonomie, USLD, MAS, FAM, foyer pour adultes handicapés) de plus de {seuil} places "
        "d'hébergement permanent. Il est couvert quand un préposé actif du registre le dessert (le sien ou par "
        "convention), rattaché par son numéro FINESS."
    )


def preposes(session: Session, *, gazetteer: Gazetteer, perimetre: Perimetre, par: str, seuil: int) -> Contenu:
    where = obliged(seuil)
    if perimetre.departements is not None or perimetre.tribunal is not None:
        where = where & Etablissement.departement.in_(perimetre.codes(gazetteer))
    rows = session.execute(
        select(
            Etablissement.id,
            Etablissement.finess,
            Etablissement.nom,
            Etablissement.categorie,
            Etablissement.insee,
            Etablissement.departement,
            Etablissement.places_permanentes,
        )
        .where(where)
        .order_by(Etablissement.departement, Etablissement.places_permanentes.desc(), Etablissement.finess)
    ).all()
    covering: dict[int, list[str]] = {}
    for etablissement_id, nom in session.execute(
        select(MandataireEtablissement.etablissement_id, Mandataire.nom)
        .join(Mandataire, Mandataire.id == MandataireEtablissement.mandataire_id)
        .join(Etablissement, Etablissement.id == MandataireEtablissement.etablissement_id)
        .where(where, Mandataire.type == MandataireType.PREPOSE, Mandataire.statut == MandataireStatut.ACTIF)
        .order_by(Mandataire.nom)
    ):
        covering.setdefault(etablissement_id, []).append(nom)
    note = _note(seuil)
    filtres = perimetre.filtres(type=None, par=par)
    if par in ("departement", "region"):
        return _coverage(gazetteer, perimetre, rows, covering, par=par, note=note, filtres=filtres)
    lignes: list[dict[str, Value]] = [
        {
            "finess": row.finess,
            "etablissement": row.nom,
            "categorie": row.categorie,
            "insee": row.insee,
            "commune": commune.nom if (commune := gazetteer.communes.get(row.insee)) else None,
            "departement": row.departement,
            "places_permanentes": row.places_permanentes,
            "preposes": ", ".join(covering.get(row.id, [])) or None,
        }
        for row in rows
        if par == "etablissement" or row.id not in covering
    ]
    covered = sum(1 for row in rows if row.id in covering)
    share = f"{100 * covered / len(rows):.1f} %".replace(".", ",") if rows else "sans objet"
    return Contenu(
        titre=None if par == "sans_prepose" else "Établissements soumis à l'obligation d'un préposé",
        lignes=lignes,
        totaux={
            "finess": "Total",
            "etablissement": f"{len(lignes)} établissements",
            "places_permanentes": sum(
                row.places_permanentes for row in rows if par == "etablissement" or row.id not in covering
            ),
        },
        note=f"{note} {len(rows)} établissements soumis : {covered} couverts ({share}), {len(rows) - covered} sans "
        "préposé.",
        filtres=filtres,
        cles=LISTE if par == "sans_prepose" else [*LISTE, "preposes"],
    )


def _coverage(gazetteer, perimetre, rows, covering, *, par: str, note: str, filtres: dict) -> Contenu:
    """Every département (or région) of the perimeter, with or without establishments under the obligation."""
    folded: dict[str, list[int]] = {
        territory_code(gazetteer, code, par): [0, 0, 0] for code in perimetre.codes(gazetteer)
    }
    for row in rows:
        entry = folded.setdefault(territory_code(gazetteer, row.departement, par), [0, 0, 0])
        entry[0] += 1
        entry[1] += row.id in covering
        entry[2] += row.places_permanentes
    lignes: list[dict[str, Value]] = [
        {
            **territory_cells(gazetteer, code, par),
            "soumis": soumis,
            "couverts": couverts,
            "sans_prepose": soumis - couverts,
            "taux_couverture": ratio(couverts, soumis),
            "places_permanentes": places,
        }
        for code, (soumis, couverts, places) in sorted(folded.items())
    ]
    soumis, couverts = sum(r[0] for r in folded.values()), sum(r[1] for r in folded.values())
    keys = territory_keys(par)
    return Contenu(
        titre="Couverture de l'obligation d'un préposé",
        lignes=lignes,
        totaux={
            keys[0]: "Total",
            "soumis": soumis,
            "couverts": couverts,
            "sans_prepose": soumis - couverts,
            "taux_couverture": ratio(couverts, soumis),
            "places_permanentes": sum(r[2] for r in folded.values()),
        },
        note=note,
        filtres=filtres,
        cles=[*keys, "soumis", "couverts", "sans_prepose", "taux_couverture", "places_permanentes"],
    )


TABLE = Table(
    nom="preposes",
    titre="Établissements soumis à l'obligation d'un préposé qui n'en ont pas",
    description="Établissements publics pour personnes âgées ou handicapées au-delà du seuil de places d'hébergement "
    "permanent (80 par défaut, rappelé dans la note) qu'aucun préposé actif ne couvre ; tous les établissements "
    "soumis avec leurs préposés (par=etablissement), ou la couverture par département ou région.",
    colonnes=(
        colonne("finess", "FINESS", "texte"),
        colonne("etablissement", "Établissement", "texte"),
        colonne("categorie", "Catégorie", "texte"),
        colonne("insee", "Code INSEE", "texte"),
        colonne("commune", "Commune", "texte"),
        colonne("departement", "Département", "texte"),
        colonne("places_permanentes", "Places permanentes"),
        colonne("preposes", "Préposés qui le couvrent", "texte"),
        # The coverage per territory (par=departement or region):
        *(c for c in TERRITOIRE if c.cle != "departement"),
        colonne("soumis", "Établissements soumis"),
        colonne("couverts", "Couverts par un préposé"),
        colonne("sans_prepose", "Sans préposé"),
        colonne("taux_couverture", "Taux de couverture", "pourcentage"),
    ),
    calcul=preposes,
    parametres=parametres,
    ordre=8,
    codes={"categorie": CATEGORIE_ETABLISSEMENT_LABELS},
    variantes=(
        Variante("Couverture par département", {"par": "departement"}),
        Variante("Tous les établissements soumis et leurs préposés", {"par": "etablissement"}),
    ),
)
