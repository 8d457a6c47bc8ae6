"""Freshness of the declared availability: active professionals without an update for more than a month."""

from datetime import timedelta
from typing import Annotated, Any, Literal

from fastapi import Query
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.dashboards import repository
from app.dashboards.folding import TERRITOIRE, ratio, territory_cells, territory_code, territory_keys
from app.dashboards.perimeter import Perimetre
from app.dashboards.table import Contenu, Table, Variante, colonne
from app.geo.gazetteer import Gazetteer
from app.registry.constants import MANDATAIRE_TYPE_LABELS, MandataireStatut

STALE_AFTER_DAYS = 31
ParFraicheur = Literal["departement", "region", "mandataire"]
NOTE = (
    f"Disponibilité périmée : professionnel actif dont la dernière mise à jour (capacité, acceptation de "
    f"nouvelles mesures, absences...) date de plus de {STALE_AFTER_DAYS} jours ; le suivi mensuel est l'usage. "
    "Chaque professionnel est compté dans son département de rattachement."
)


def parametres(
    par: Annotated[
        ParFraicheur, Query(description="Par département, par région, ou la liste des professionnels")
    ] = "departement",
) -> dict[str, Any]:
    return {"par": par}


def fraicheur(session: Session, *, gazetteer: Gazetteer, perimetre: Perimetre, par: str) -> Contenu:
    p = repository.professionnels(perimetre, statuts=(MandataireStatut.ACTIF,))
    threshold = perimetre.now - timedelta(days=STALE_AFTER_DAYS)
    stale = p.c.derniere_mise_a_jour < threshold
    if par == "mandataire":
        query = repository.within(
            select(p.c.id, p.c.nom, p.c.type, p.c.departement, p.c.derniere_mise_a_jour)
            .where(stale)
            .order_by(p.c.derniere_mise_a_jour, p.c.id),
            p.c.departement,
            perimetre,
        )
        lignes = [
            {
                "mandataire_id": row.id,
                "mandataire": row.nom,
                "type": row.type,
                "departement": row.departement,
                "derniere_mise_a_jour": row.derniere_mise_a_jour.date(),
                "jours": (perimetre.now - row.derniere_mise_a_jour).days,
            }
            for row in session.execute(query)
        ]
        return Contenu(
            titre="Professionnels dont la disponibilité est périmée",
            lignes=lignes,
            totaux={"mandataire": f"Total : {len(lignes)} professionnels"},
            note=NOTE,
            filtres=perimetre.filtres(par=par),
            cles=["mandataire_id", "mandataire", "type", "departement", "derniere_mise_a_jour", "jours"],
        )
    query = repository.within(
        select(
            p.c.departement, func.count(), func.sum(case((stale, 1), else_=0)), func.min(p.c.derniere_mise_a_jour)
        ).group_by(p.c.departement),
        p.c.departement,
        perimetre,
    )
    folded: dict[str, list] = {}
    for departement, count, n_stale, oldest in session.execute(query):
        code = territory_code(gazetteer, departement, par)
        entry = folded.setdefault(code, [0, 0, None])
        entry[0] += int(count)
        entry[1] += int(n_stale or 0)
        oldest_day = oldest.date() if oldest is not None else None
        entry[2] = oldest_day if entry[2] is None or (oldest_day and oldest_day < entry[2]) else entry[2]
    lignes = [
        {
            **territory_cells(gazetteer, code, par),
            "professionnels": count,
            "perimes": n_stale,
            "part_perimes": ratio(n_stale, count),
            "plus_ancienne_mise_a_jour": oldest,
        }
        for code, (count, n_stale, oldest) in sorted(folded.items())
    ]
    total, total_stale = sum(r["professionnels"] for r in lignes), sum(r["perimes"] for r in lignes)
    keys = territory_keys(par)
    return Contenu(
        lignes=lignes,
        totaux={
            keys[0]: "Total",
            "professionnels": total,
            "perimes": total_stale,
            "part_perimes": ratio(total_stale, total),
            "plus_ancienne_mise_a_jour": min(
                (r["plus_ancienne_mise_a_jour"] for r in lignes if r["plus_ancienne_mise_a_jour"]), default=None
            ),
        },
        note=NOTE + " La liste des professionnels concernés est la variante « par professionnel » de ce tableau.",
        filtres=perimetre.filtres(par=par),
        cles=[*keys, "professionnels", "perimes", "part_perimes", "plus_ancienne_mise_a_jour"],
    )


TABLE = Table(
    nom="fraicheur",
    titre="Fraîcheur des disponibilités déclarées",
    description="Professionnels actifs dont la disponibilité n'a pas été mise à jour depuis plus de "
    f"{STALE_AFTER_DAYS} jours, et leur part par territoire.",
    colonnes=(
        *TERRITOIRE,
        colonne("professionnels", "Professionnels actifs"),
        colonne("perimes", f"Sans mise à jour depuis plus de {STALE_AFTER_DAYS} jours"),
        colonne("part_perimes", "Part périmée", "pourcentage"),
        colonne("plus_ancienne_mise_a_jour", "Plus ancienne mise à jour", "date"),
        # The list of professionals (par=mandataire):
        colonne("mandataire_id", "N° du mandataire"),
        colonne("mandataire", "Mandataire", "texte"),
        colonne("type", "Type", "texte"),
        colonne("derniere_mise_a_jour", "Dernière mise à jour", "date"),
        colonne("jours", "Jours depuis la mise à jour"),
    ),
    calcul=fraicheur,
    parametres=parametres,
    ordre=7,
    codes={"type": MANDATAIRE_TYPE_LABELS},
    variantes=(Variante("Liste des professionnels concernés", {"par": "mandataire"}),),
)
