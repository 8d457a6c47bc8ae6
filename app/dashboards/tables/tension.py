"""Territories ranked by free places per 1 000 inhabitants and by occupancy; the table the map is coloured from."""

from collections import defaultdict
from functools import lru_cache
from typing import Any

from sqlalchemy.orm import Session

from app.dashboards import repository
from app.dashboards.dependencies import par_territoire
from app.dashboards.folding import TERRITOIRE, Load, ratio, territory_cells, territory_code, territory_keys
from app.dashboards.perimeter import Perimetre
from app.dashboards.table import Carte, Contenu, Indicateur, Table, colonne
from app.geo.gazetteer import Gazetteer

NOTE = (
    "Rang 1 : le territoire qui offre le moins de places libres pour 1 000 habitants ; rang d'occupation 1 : "
    "le taux d'occupation le plus élevé. Population municipale (INSEE) des communes du référentiel. Places "
    "libres et taux d'occupation comme dans le tableau de charge. " + repository.ATTRIBUTION_NOTE
)


@lru_cache(maxsize=4)
def _populations(gazetteer: Gazetteer) -> dict[str, int]:
    populations: dict[str, int] = defaultdict(int)
    for commune in gazetteer.communes.values():
        populations[commune.departement] += commune.population
    return dict(populations)


def _per_1000(count: int, population: int) -> float | None:
    return round(1000 * count / population, 3) if population else None


def tension(session: Session, *, gazetteer: Gazetteer, perimetre: Perimetre, par: str) -> Contenu:
    loads = repository.loads(session, perimetre, by_type=False)
    populations = _populations(gazetteer)
    territories: dict[str, tuple[Load, list[int]]] = {}
    for departement in perimetre.codes(gazetteer):
        code = territory_code(gazetteer, departement, par)
        load, population = territories.setdefault(code, (Load(), [0]))
        load.add(loads.get((departement, None), Load()))
        population[0] += populations.get(departement, 0)
    lignes: list[dict[str, Any]] = []
    for code, (load, (people,)) in territories.items():
        held = load.en_cours + load.en_attente
        lignes.append(
            {
                "rang": 0,
                **territory_cells(gazetteer, code, par),
                "population": people,
                "professionnels": load.professionnels,
                "capacite": load.capacite,
                "mesures": held,
                "places_libres": load.places_libres,
                "places_pour_1000": _per_1000(load.places_libres, people),
                "mesures_pour_1000": _per_1000(held, people),
                "taux_occupation": ratio(held, load.capacite),
                "rang_occupation": None,
            }
        )
    by_occupation = sorted(
        (row for row in lignes if row["taux_occupation"] is not None),
        key=lambda row: (-row["taux_occupation"], row["places_pour_1000"] or 0),
    )
    for rank, row in enumerate(by_occupation, 1):
        row["rang_occupation"] = rank
    keys = territory_keys(par)
    lignes.sort(
        key=lambda row: (
            row["places_pour_1000"] if row["places_pour_1000"] is not None else float("inf"),
            -(row["taux_occupation"] or 0),
            row[keys[0]],
        )
    )
    for rank, row in enumerate(lignes, 1):
        row["rang"] = rank
    total_population = sum(row["population"] for row in lignes)
    total = Load()
    for load, _ in territories.values():
        total.add(load)
    held = total.en_cours + total.en_attente
    return Contenu(
        lignes=lignes,
        totaux={
            "rang": None,
            keys[0]: "Total",
            "population": total_population,
            "professionnels": total.professionnels,
            "capacite": total.capacite,
            "mesures": held,
            "places_libres": total.places_libres,
            "places_pour_1000": _per_1000(total.places_libres, total_population),
            "mesures_pour_1000": _per_1000(held, total_population),
            "taux_occupation": ratio(held, total.capacite),
        },
        note=NOTE,
        filtres=perimetre.filtres(par=par),
        cles=["rang", *keys, *(c.cle for c in COLONNES)],
    )


COLONNES = (
    colonne("population", "Population"),
    colonne("professionnels", "Professionnels"),
    colonne("capacite", "Capacité déclarée"),
    colonne("mesures", "Mesures en cours et en attente"),
    colonne("places_libres", "Places libres"),
    colonne("places_pour_1000", "Places libres pour 1 000 habitants", "decimal"),
    colonne("mesures_pour_1000", "Mesures pour 1 000 habitants", "decimal"),
    colonne("taux_occupation", "Taux d'occupation", "pourcentage"),
    colonne("rang_occupation", "Rang (occupation)"),
)

TABLE = Table(
    nom="tension",
    titre="Territoires en tension",
    description="Territoires classés par places libres pour 1 000 habitants et par taux d'occupation.",
    colonnes=(colonne("rang", "Rang (places pour 1 000 habitants)"), *TERRITOIRE, *COLONNES),
    calcul=tension,
    parametres=par_territoire,
    ordre=2,
    carte=Carte(
        departement="departement",
        renseigne="professionnels",
        indicateurs=(
            # Fixed classes: well below, near, at, beyond the declared capacity.
            Indicateur(
                "taux_occupation",
                "Taux d'occupation (mesures et réservations / capacité déclarée)",
                seuils=(0.7, 0.85, 0.95, 1.05),
            ),
            # Fewer free places, more tension: darker.
            Indicateur("places_pour_1000", "Tension : places libres pour 1 000 habitants", inverse=True),
        ),
    ),
)
