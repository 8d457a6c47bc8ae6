"""Where professionals work: per territory and type, the professionals holding measures there and those measures;
a professional working in several départements counts in each, and once in the totals."""

from collections import defaultdict

from sqlalchemy.orm import Session

from app.dashboards import repository
from app.dashboards.dependencies import par_territoire
from app.dashboards.folding import TERRITOIRE, TYPES, territory_cells, territory_code, territory_keys
from app.dashboards.perimeter import Perimetre
from app.dashboards.schemas import Value
from app.dashboards.table import Contenu, Graphique, Table, colonne
from app.geo.gazetteer import Gazetteer
from app.registry.constants import ACTIVE_STATUTS, MANDATAIRE_TYPE_LABELS

NOTE = (
    "Mesures en cours et en attente des professionnels inscrits (actifs, suspendus ou en cessation). "
    + repository.WORK_NOTE
    + " « Exerçant aussi ailleurs » : ceux de la ligne qui exercent aussi des mesures dans un autre territoire."
)


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 2) if whole else None


def implantation(session: Session, *, gazetteer: Gazetteer, perimetre: Perimetre, par: str) -> Contenu:
    held = repository.held_by_departement(session, perimetre, statuts=list(ACTIVE_STATUTS))
    # Territories of each professional, then professionals and measures per (territory, type).
    territories: dict[int, set[str]] = defaultdict(set)
    professionals: dict[tuple[str, str], set[int]] = defaultdict(set)
    measures: dict[tuple[str, str], int] = defaultdict(int)
    for mandataire_id, kind, departement, n, _ in held:
        code = territory_code(gazetteer, departement, par)
        territories[mandataire_id].add(code)
        professionals[(code, kind)].add(mandataire_id)
        measures[(code, kind)] += n
    order = {kind.value: rank for rank, kind in enumerate(TYPES)}
    lignes: list[dict[str, Value]] = []
    for (code, kind), ids in sorted(professionals.items(), key=lambda item: (item[0][0], order.get(item[0][1], 9))):
        lignes.append(
            {
                **territory_cells(gazetteer, code, par),
                "type": kind,
                "professionnels": len(ids),
                "exercant_ailleurs": sum(1 for i in ids if len(territories[i]) > 1),
                "mesures": measures[(code, kind)],
                "mesures_par_professionnel": _ratio(measures[(code, kind)], len(ids)),
            }
        )
    total_measures = sum(measures.values())
    keys = territory_keys(par)
    return Contenu(
        lignes=lignes,
        totaux={
            keys[0]: "Total",
            "professionnels": len(territories),
            "exercant_ailleurs": sum(1 for codes in territories.values() if len(codes) > 1),
            "mesures": total_measures,
            "mesures_par_professionnel": _ratio(total_measures, len(territories)),
        },
        note=NOTE,
        filtres=perimetre.filtres(par=par),
        cles=[*keys, "type", "professionnels", "exercant_ailleurs", "mesures", "mesures_par_professionnel"],
    )


TABLE = Table(
    nom="implantation",
    titre="Où exercent les professionnels",
    description="Par territoire et type, les professionnels qui y exercent des mesures (comptés dans chaque "
    "département où ils exercent, une seule fois dans les totaux) et ces mesures.",
    colonnes=(
        *TERRITOIRE,
        colonne("type", "Type", "texte"),
        colonne("professionnels", "Professionnels y exerçant des mesures"),
        colonne("exercant_ailleurs", "Dont exerçant aussi ailleurs"),
        colonne("mesures", "Mesures en cours et en attente"),
        colonne("mesures_par_professionnel", "Mesures par professionnel", "decimal"),
    ),
    calcul=implantation,
    parametres=par_territoire,
    ordre=11,
    codes={"type": MANDATAIRE_TYPE_LABELS},
    graphique=Graphique(
        titre="Professionnels exerçant dans chaque département",
        legende="Par département : les professionnels qui y exercent des mesures, tous types, et parmi eux ceux qui "
        "exercent aussi dans un autre département (ils comptent dans chacun).",
        abscisse="departement",
        series=(("professionnels",), ("exercant_ailleurs",)),
    ),
)
