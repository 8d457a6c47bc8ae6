"""Communes without an available professional within a distance, for a nature of measure.

Distances are great-circle, computed with numpy over the communes of the reference geography and the sites of the
available professionals (a bounded matrix at a time)."""

import math
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Any

import numpy as np
from fastapi import Query
from sqlalchemy import exists, select
from sqlalchemy.orm import Session, aliased

from app.dashboards.perimeter import Perimetre
from app.dashboards.schemas import Value
from app.dashboards.table import Contenu, Table, colonne
from app.geo.distance import nearest_km
from app.geo.gazetteer import Gazetteer
from app.registry.constants import MANDATAIRE_TYPE_LABELS, NATURE_LABELS, MandataireType, Nature
from app.registry.models import Mandataire, MandataireDepartement, MandataireNature, Site
from app.registry.repository import available_on, serves_tribunal


def parametres(
    nature: Annotated[Nature, Query(description="Nature de la mesure")] = Nature.CURATELLE_RENFORCEE,
    distance_km: Annotated[float, Query(gt=0, le=300, description="Distance à vol d'oiseau, en km")] = 60,
) -> dict[str, Any]:
    return {"nature": nature, "distance_km": distance_km}


@dataclass(frozen=True, slots=True)
class CommuneArrays:
    insee: list[str]
    nom: list[str]
    population: np.ndarray
    lat: np.ndarray
    lon: np.ndarray


@lru_cache(maxsize=4)
def _communes_by_departement(gazetteer: Gazetteer) -> dict[str, CommuneArrays]:
    grouped = defaultdict(list)
    for commune in gazetteer.communes.values():
        grouped[commune.departement].append(commune)
    return {
        departement: CommuneArrays(
            insee=[c.insee for c in communes],
            nom=[c.nom for c in communes],
            population=np.array([c.population for c in communes], dtype=np.int64),
            lat=np.array([c.lat for c in communes]),
            lon=np.array([c.lon for c in communes]),
        )
        for departement, communes in grouped.items()
    }


def couverture(
    session: Session, *, gazetteer: Gazetteer, perimetre: Perimetre, nature: Nature, distance_km: float
) -> Contenu:
    """Communes of the perimeter where no available professional listed in their département, whose title covers
    the nature, has a site within `distance_km` (great-circle)."""
    # An alias: `serves_tribunal` tests the professional's listings in its own EXISTS, which would otherwise
    # correlate to this join and lose its FROM clause.
    listing = aliased(MandataireDepartement)
    query = (
        select(listing.departement, Site.lat, Site.lon)
        .select_from(Mandataire)
        .join(Site, Site.mandataire_id == Mandataire.id)
        .join(listing, listing.mandataire_id == Mandataire.id)
        .where(
            available_on(perimetre.today),
            exists().where(MandataireNature.mandataire_id == Mandataire.id, MandataireNature.nature == nature),
        )
    )
    if nature == Nature.MJAGBF:
        query = query.where(Mandataire.dpf.is_(True))
    if perimetre.type is not None:
        query = query.where(Mandataire.type == perimetre.type)
    else:
        query = query.where(Mandataire.type != MandataireType.PREPOSE)
    if perimetre.tribunal is not None:
        query = query.where(serves_tribunal(perimetre.tribunal.id))
    codes = perimetre.codes(gazetteer)
    if perimetre.departements is not None or perimetre.tribunal is not None:
        query = query.where(listing.departement.in_(codes))
    sites: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for departement, lat, lon in session.execute(query):
        sites[departement].append((lat, lon))

    communes = _communes_by_departement(gazetteer)
    population_total = 0
    found: list[tuple[str, CommuneArrays, np.ndarray, np.ndarray]] = []
    for departement in codes:
        arrays = communes.get(departement)
        if arrays is None:
            continue
        population_total += int(arrays.population.sum())
        points = np.array(sites.get(departement, []), dtype=np.float64).reshape(-1, 2)
        nearest = nearest_km(arrays.lat, arrays.lon, points[:, 0], points[:, 1])
        out_of_reach = np.flatnonzero(nearest > distance_km)
        if out_of_reach.size:
            found.append((departement, arrays, out_of_reach, nearest[out_of_reach]))
    # Thousands of rows at short distances: gathered and sorted with numpy, converted to Python values once.
    insee = [arrays.insee[i] for _, arrays, indexes, _ in found for i in indexes.tolist()]
    noms = [arrays.nom[i] for _, arrays, indexes, _ in found for i in indexes.tolist()]
    departements = [dep for dep, _, indexes, _ in found for _ in range(indexes.size)]
    populations = np.concatenate([arrays.population[indexes] for _, arrays, indexes, _ in found] or [np.zeros(0)])
    distances = np.concatenate([nearest for *_, nearest in found] or [np.zeros(0)])
    order = np.lexsort((np.array(insee, dtype=str), -populations)).tolist() if insee else []
    km = [round(d, 1) if math.isfinite(d) else None for d in distances.tolist()]
    population_list = populations.astype(np.int64).tolist()
    lignes: list[dict[str, Value]] = [
        {
            "insee": insee[i],
            "commune": noms[i],
            "departement": departements[i],
            "population": population_list[i],
            "distance_km": km[i],
        }
        for i in order
    ]
    concerned = sum(population_list)
    share = f"{100 * concerned / population_total:.1f} %".replace(".", ",") if population_total else "0 %"
    excluded = (
        ""
        if perimetre.type == MandataireType.PREPOSE
        else (
            " Les préposés, qui ne prennent que les résidents de leurs établissements, ne sont comptés qu'avec le "
            f"filtre de type « {MANDATAIRE_TYPE_LABELS[MandataireType.PREPOSE]} »."
        )
    )
    restrictions = (
        "Seuls comptent les professionnels qui peuvent servir le tribunal choisi."
        if perimetre.tribunal is not None
        else "Les restrictions d'un professionnel à certains tribunaux ne sont pas prises en compte."
    )
    return Contenu(
        titre=f"Communes sans professionnel disponible à moins de {distance_km:g} km ({NATURE_LABELS[nature]})",
        note=(
            f"{len(lignes)} communes, {concerned} habitants ({share} de la population du périmètre), sans "
            "professionnel disponible à portée : actif, acceptant de nouvelles mesures, non absent aujourd'hui, "
            f"avec des places libres, dont le titre couvre la nature « {NATURE_LABELS[nature]} », inscrit sur la "
            f"liste du département de la commune et ayant un site à moins de {distance_km:g} km à vol d'oiseau "
            "(distance du grand cercle depuis la mairie). Distance : celle du site disponible le plus proche (vide "
            "s'il n'y en a aucun). " + restrictions + excluded
        ),
        filtres=perimetre.filtres(nature=nature.value, distance_km=distance_km),
        lignes=lignes,
        totaux={"insee": "Total", "commune": f"{len(lignes)} communes", "population": concerned},
    )


TABLE = Table(
    nom="couverture",
    titre="Communes sans professionnel disponible à portée",
    description="Pour une nature de mesure et une distance, les communes sans professionnel disponible à moins de "
    "cette distance, et la population concernée.",
    colonnes=(
        colonne("insee", "Code INSEE", "texte"),
        colonne("commune", "Commune", "texte"),
        colonne("departement", "Département", "texte"),
        colonne("population", "Population"),
        colonne("distance_km", "Distance du site disponible le plus proche (km)", "decimal"),
    ),
    calcul=couverture,
    parametres=parametres,
    ordre=3,
)
