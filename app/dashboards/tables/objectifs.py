"""The schéma's targets against actual (`app.targets`): for each target of the territory, the value its trajectory
expects at the date asked (today by default), the register's value then (for a date to come: the projection of the
trend), the gap, and where the trend leads at the deadline."""

import datetime as dt
from typing import Annotated, Any

from fastapi import Query
from sqlalchemy.orm import Session

from app.dashboards.folding import ratio
from app.dashboards.perimeter import Perimetre
from app.dashboards.schemas import Value
from app.dashboards.table import Contenu, Table, colonne
from app.geo.gazetteer import Gazetteer
from app.targets.actual import actual
from app.targets.constants import INDICATEUR_LABELS, Indicateur
from app.targets.service import list_objectifs
from app.targets.trajectory import Trajectoire
from app.types import DateISO

NOTE = (
    "Attendu : la trajectoire de l'objectif, linéaire de son point de départ (état des lieux) à sa cible à "
    "l'échéance. Réel : la valeur du registre à la date (professionnels actifs inscrits dans le département à cette "
    "date, mesures en cours au tribunal du département). Projection : la tendance réelle, du point de départ à "
    "aujourd'hui, prolongée en ligne droite ; pour une date à venir, l'écart est celui de la projection."
)


def parametres(
    date: Annotated[DateISO | None, Query(description="Date de la comparaison (par défaut aujourd'hui)")] = None,
    indicateur: Annotated[Indicateur | None, Query(description="Un seul indicateur")] = None,
) -> dict[str, Any]:
    return {"date": date, "indicateur": indicateur}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def objectifs(
    session: Session,
    *,
    gazetteer: Gazetteer,
    perimetre: Perimetre,
    date: dt.date | None,
    indicateur: Indicateur | None,
) -> Contenu:
    today = perimetre.today
    at = date or today
    restricted = perimetre.departements is not None or perimetre.tribunal is not None
    targets = list_objectifs(
        session, departements=frozenset(perimetre.codes(gazetteer)) if restricted else None, indicateur=indicateur
    )
    now: dict[tuple[str, str], int] = {}
    then: dict[tuple[str, str], int] = {}
    for kind in {Indicateur(t.indicateur) for t in targets}:
        codes = {t.departement for t in targets if t.indicateur == kind}
        counted = actual(session, kind, codes, {today, at} if at < today else {today})
        now.update({(kind.value, code): value for code, value in counted[today].items()})
        if at < today:
            then.update({(kind.value, code): value for code, value in counted[at].items()})
    lignes: list[dict[str, Value]] = []
    for target in targets:
        trajectoire = Trajectoire(target.date_initiale, target.valeur_initiale, target.echeance, target.cible)
        reel_actuel = now[(target.indicateur, target.departement)]
        reel = reel_actuel if at == today else then.get((target.indicateur, target.departement))
        projection = trajectoire.projection(reel=reel_actuel, today=today, at=at)
        attendu = trajectoire.attendu(at)
        compared = reel if reel is not None else projection
        departement = gazetteer.departements.get(target.departement)
        lignes.append(
            {
                "objectif_id": target.id,
                "departement": target.departement,
                "departement_nom": departement.nom if departement else "inconnu",
                "indicateur": target.indicateur,
                "libelle": target.libelle,
                "date_initiale": target.date_initiale,
                "valeur_initiale": target.valeur_initiale,
                "echeance": target.echeance,
                "cible": target.cible,
                "attendu": _round(attendu),
                "reel": reel,
                "projection": _round(projection),
                "ecart": _round(None if compared is None else compared - attendu),
                "projection_echeance": _round(
                    trajectoire.projection(reel=reel_actuel, today=today, at=target.echeance)
                ),
                "part_cible": ratio(reel_actuel, target.cible),
            }
        )
    return Contenu(
        lignes=lignes,
        totaux=None,
        note=NOTE + (" Date à venir : le réel n'est pas encore connu." if at > today else ""),
        filtres=perimetre.filtres(type=None, date=at.isoformat(), indicateur=indicateur.value if indicateur else None),
    )


TABLE = Table(
    nom="objectifs",
    titre="Objectifs du schéma : réel et trajectoire",
    description="Les objectifs du schéma régional enregistrés pour le territoire (POST /schema/objectifs), "
    "comparés au registre à une date (par défaut aujourd'hui), avec la projection de la tendance.",
    colonnes=(
        colonne("objectif_id", "N° de l'objectif"),
        colonne("departement", "Département", "texte"),
        colonne("departement_nom", "Nom du département", "texte"),
        colonne("indicateur", "Indicateur", "texte"),
        colonne("libelle", "Intitulé", "texte"),
        colonne("date_initiale", "Point de départ", "date"),
        colonne("valeur_initiale", "Valeur au départ"),
        colonne("echeance", "Échéance", "date"),
        colonne("cible", "Cible"),
        colonne("attendu", "Attendu à la date", "decimal"),
        colonne("reel", "Réel à la date"),
        colonne("projection", "Projection à la date", "decimal"),
        colonne("ecart", "Écart à la trajectoire", "decimal"),
        colonne("projection_echeance", "Projection à l'échéance", "decimal"),
        colonne("part_cible", "Part de la cible atteinte", "pourcentage"),
    ),
    calcul=objectifs,
    parametres=parametres,
    ordre=40,
    codes={"indicateur": INDICATEUR_LABELS},
)
