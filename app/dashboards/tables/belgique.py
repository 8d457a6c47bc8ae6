"""Measures of persons living in Belgium, per year of nomination and per professional."""

from collections import defaultdict

from sqlalchemy import case, extract, func, select
from sqlalchemy.orm import Session

from app.dashboards import repository
from app.dashboards.folding import periode
from app.dashboards.perimeter import Perimetre
from app.dashboards.schemas import Value
from app.dashboards.table import Contenu, Table, colonne
from app.geo.gazetteer import Gazetteer
from app.registry.constants import MANDATAIRE_TYPE_LABELS, MesureStatut
from app.registry.models import Mandataire, Mesure

NOTE = (
    "Mesures dont la personne réside en Belgique, par année de la date de nomination (les mesures en "
    "attente, sans date de nomination, ne sont pas comptées), et les professionnels qui les exercent. La "
    "ligne des totaux donne le nombre de mesures belges de chaque année. Territoire d'une mesure : celui de "
    "son tribunal ; département du professionnel : son département de rattachement."
)


def belgique(session: Session, *, gazetteer: Gazetteer, perimetre: Perimetre) -> Contenu:
    debut, fin = periode(perimetre, None)
    year = extract("year", Mesure.date_nomination)
    query = (
        select(
            Mesure.mandataire_id,
            year,
            func.count(),
            func.sum(case((Mesure.statut == MesureStatut.EN_COURS, 1), else_=0)),
        )
        .where(Mesure.pays == "BE", Mesure.date_nomination.is_not(None))
        .group_by(Mesure.mandataire_id, year)
    )
    if debut is not None:
        query = query.where(Mesure.date_nomination >= debut)
    if fin is not None:
        query = query.where(Mesure.date_nomination <= fin)
    query = repository.of_type(query, Mesure.mandataire_id, perimetre)
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    en_cours: dict[int, int] = defaultdict(int)
    for mandataire_id, y, n, current in session.execute(repository.by_tribunal(query, Mesure.tribunal_id, perimetre)):
        counts[mandataire_id][int(y)] = int(n)
        en_cours[mandataire_id] += int(current or 0)
    years = sorted({y for per_year in counts.values() for y in per_year})
    professionals = {
        row.id: row
        for row in session.execute(
            select(
                Mandataire.id, Mandataire.nom, Mandataire.type, repository.rattachement().label("departement")
            ).where(Mandataire.id.in_(list(counts)))
        )
    }
    lignes = []
    for mandataire_id, per_year in counts.items():
        pro = professionals[mandataire_id]
        lignes.append(
            {
                "mandataire_id": mandataire_id,
                "mandataire": pro.nom,
                "type": pro.type,
                "departement": pro.departement,
                **{f"annee_{y}": per_year.get(y, 0) for y in years},
                "total": sum(per_year.values()),
                "en_cours": en_cours[mandataire_id],
            }
        )
    lignes.sort(key=lambda row: (-row["total"], row["mandataire"]))
    year_keys = [f"annee_{y}" for y in years]
    totaux: dict[str, Value] = {"mandataire": f"Total ({len(lignes)} professionnels)"}
    for key in [*year_keys, "total", "en_cours"]:
        totaux[key] = sum(int(row[key]) for row in lignes)
    filtres = perimetre.filtres()
    filtres.update((key, day) for key, day in (("debut", debut), ("fin", fin)) if day)
    return Contenu(
        lignes=lignes,
        totaux=totaux,
        note=NOTE,
        filtres=filtres,
        cles=["mandataire_id", "mandataire", "type", "departement", *year_keys, "total", "en_cours"],
    )


TABLE = Table(
    nom="belgique",
    titre="Mesures de personnes résidant en Belgique",
    description="Mesures dont la personne réside en Belgique, par année de nomination et par professionnel.",
    colonnes=(
        colonne("mandataire_id", "N° du mandataire"),
        colonne("mandataire", "Mandataire", "texte"),
        colonne("type", "Type", "texte"),
        colonne("departement", "Département", "texte"),
        colonne("annee_{annee}", "{annee}"),
        colonne("total", "Total"),
        colonne("en_cours", "Dont en cours"),
    ),
    calcul=belgique,
    ordre=6,
    periode=True,
    codes={"type": MANDATAIRE_TYPE_LABELS},
)
