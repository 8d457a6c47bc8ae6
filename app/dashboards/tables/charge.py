"""Load of the professionals per territory and type, from the load counters."""

from collections import defaultdict

from sqlalchemy.orm import Session

from app.dashboards import repository
from app.dashboards.dependencies import par_territoire
from app.dashboards.folding import (
    LOAD_COLUMNS,
    TERRITOIRE,
    TYPES,
    Load,
    territory_cells,
    territory_code,
    territory_keys,
)
from app.dashboards.perimeter import Perimetre
from app.dashboards.table import Contenu, Table, colonne
from app.geo.gazetteer import Gazetteer
from app.registry.constants import MANDATAIRE_TYPE_LABELS

NOTE = (
    "Professionnels inscrits (actifs, suspendus ou en cessation ; les retirés de la liste sont exclus). "
    "Chiffres tirés des compteurs de charge tenus à jour à chaque mouvement de mesure. Places libres : "
    "somme, par professionnel, de max(0, capacité − en cours − en attente) (un professionnel en "
    "surcapacité ne compense pas les places d'un autre). Taux d'occupation : (en cours + en attente) / "
    "capacité. Charge pondérée : mesures en cours et en attente pondérées selon leur nature et leur lieu "
    "de vie. " + repository.ATTRIBUTION_NOTE
)


def charge(session: Session, *, gazetteer: Gazetteer, perimetre: Perimetre, par: str) -> Contenu:
    folded: dict[tuple[str, str | None], Load] = defaultdict(Load)
    for (departement, kind), load in repository.loads(session, perimetre, by_type=True).items():
        folded[(territory_code(gazetteer, departement, par), kind)].add(load)
    order: dict[str | None, int] = {kind: rank for rank, kind in enumerate(TYPES)}
    lignes = [
        {**territory_cells(gazetteer, code, par), "type": kind, **load.cells()}
        for (code, kind), load in sorted(folded.items(), key=lambda item: (item[0][0], order.get(item[0][1], 9)))
    ]
    total = Load()
    for load in folded.values():
        total.add(load)
    keys = territory_keys(par)
    return Contenu(
        lignes=lignes,
        totaux={keys[0]: "Total", **total.cells()},
        note=NOTE,
        filtres=perimetre.filtres(par=par),
        cles=[*keys, "type", *(c.cle for c in LOAD_COLUMNS)],
    )


TABLE = Table(
    nom="charge",
    titre="Charge des mandataires par territoire et par type",
    description="Professionnels, capacité déclarée, mesures en cours et en attente, places libres, taux "
    "d'occupation, charge pondérée et nombre de professionnels en surcapacité.",
    colonnes=(*TERRITOIRE, colonne("type", "Type", "texte"), *LOAD_COLUMNS),
    calcul=charge,
    parametres=par_territoire,
    ordre=1,
    codes={"type": MANDATAIRE_TYPE_LABELS},
)
