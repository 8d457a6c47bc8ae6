"""Workload per professional and per ETP: measures per ETP of the services, per MI and per préposé, the share of
tutelles in the préposés' caseloads, and the MIs per band of measures held; each professional counted where it
works (antenne, else tribunal), once in the totals."""

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.dashboards import repository
from app.dashboards.dependencies import par_territoire
from app.dashboards.folding import TERRITOIRE, ratio, territory_cells, territory_code, territory_keys
from app.dashboards.perimeter import Perimetre
from app.dashboards.schemas import Value
from app.dashboards.table import Contenu, Graphique, Table, colonne
from app.geo.gazetteer import Gazetteer
from app.registry.constants import ACTIVE_STATUTS, MandataireType
from app.registry.models import EtpService

# MI load bands of the regional schémas (inclusive bounds; None: no upper bound).
BANDS = ((0, 19), (20, 39), (40, 59), (60, 79), (80, None))
BAND_KEYS = ("mi_moins_20", "mi_20_39", "mi_40_59", "mi_60_79", "mi_80_plus")
KINDS = {
    MandataireType.SERVICE: "services",
    MandataireType.INDIVIDUEL: "individuels",
    MandataireType.PREPOSE: "preposes",
}
NOTE = (
    "Mesures en cours et en attente des professionnels inscrits (actifs, suspendus ou en cessation). "
    + repository.WORK_NOTE
    + " ETP des services : ceux que le service a déclarés pour l'année de fin de période (à défaut, sa dernière "
    "déclaration antérieure), répartis entre les territoires au prorata de ses mesures ; mesures par ETP : "
    "mesures des services qui ont déclaré leurs ETP, divisées par ces ETP. Tranches des mandataires individuels : "
    "selon le total de leurs mesures, tous territoires confondus ; un individuel est compté dans chaque territoire "
    "où il exerce. Le registre ne tient pas le secrétariat spécialisé des individuels : les effectifs de "
    "secrétariat ne figurent pas ici."
)


def _band(held: int) -> str:
    for key, (low, high) in zip(BAND_KEYS, BANDS, strict=True):
        if held >= low and (high is None or held <= high):
            return key
    return BAND_KEYS[-1]


def _ratio(part: float, whole: float) -> float | None:
    return round(part / whole, 2) if whole else None


def declared_etp(session: Session, services: set[int] | None) -> dict[int, dict[int, float]]:
    """The ETP each of these services (None: every service) declared, by year."""
    found: dict[int, dict[int, float]] = defaultdict(dict)
    if services is None or services:
        query = select(EtpService.mandataire_id, EtpService.annee, EtpService.etp)
        if services is not None:
            query = query.where(EtpService.mandataire_id.in_(sorted(services)))
        for mandataire_id, annee, etp in session.connection().execute(query).all():
            found[mandataire_id][annee] = etp
    return found


def etp_of_year(declared: dict[int, float], year: int) -> float | None:
    """A service's ETP for the year: its declaration for it, else its latest earlier one."""
    earlier = [annee for annee in declared if annee <= year]
    return declared[max(earlier)] if earlier else None


def _etp(session: Session, services: set[int], year: int) -> dict[int, float]:
    return {
        mandataire_id: etp
        for mandataire_id, declared in declared_etp(session, services).items()
        if (etp := etp_of_year(declared, year)) is not None
    }


def charge_professionnels(session: Session, *, gazetteer: Gazetteer, perimetre: Perimetre, par: str) -> Contenu:
    held = repository.held_by_departement(session, perimetre, statuts=list(ACTIVE_STATUTS))
    year = (perimetre.fin or perimetre.today).year
    totals: dict[int, int] = defaultdict(int)
    for mandataire_id, _, _, n, _ in held:
        totals[mandataire_id] += n
    etp = _etp(session, {m for m, kind, *_ in held if kind == MandataireType.SERVICE}, year)

    rows: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    members: dict[tuple[str, str], set[int]] = defaultdict(set)  # (territory, group) → professionals
    everywhere: dict[str, set[int]] = defaultdict(set)  # group → professionals, for the totals
    sums: dict[str, float] = defaultdict(float)
    for mandataire_id, kind, departement, n, tutelles in held:
        code = territory_code(gazetteer, departement, par)
        group = KINDS.get(kind)
        if group is None:
            continue
        row = rows[code]
        groups = [group] + ([_band(totals[mandataire_id])] if kind == MandataireType.INDIVIDUEL else [])
        for name in groups:
            members[(code, name)].add(mandataire_id)
            everywhere[name].add(mandataire_id)
        for target in (row, sums):
            target[f"mesures_{group}"] += n
            if kind == MandataireType.PREPOSE:
                target["tutelles_preposes"] += tutelles
            if mandataire_id in etp:
                target["mesures_services_etp"] += n
                target["etp_services"] += etp[mandataire_id] * n / totals[mandataire_id]

    def cells(figures: dict[str, float], count) -> dict[str, Value]:
        return {
            "services": count("services"),
            "mesures_services": int(figures["mesures_services"]),
            "etp_services": round(figures["etp_services"], 2),
            "mesures_par_etp": _ratio(figures["mesures_services_etp"], figures["etp_services"]),
            "individuels": count("individuels"),
            "mesures_individuels": int(figures["mesures_individuels"]),
            "mesures_par_individuel": _ratio(figures["mesures_individuels"], count("individuels")),
            "preposes": count("preposes"),
            "mesures_preposes": int(figures["mesures_preposes"]),
            "mesures_par_prepose": _ratio(figures["mesures_preposes"], count("preposes")),
            "part_tutelles_preposes": ratio(figures["tutelles_preposes"], figures["mesures_preposes"]),
            **{key: count(key) for key in BAND_KEYS},
        }

    lignes = [
        {**territory_cells(gazetteer, code, par), **cells(rows[code], lambda name, c=code: len(members[(c, name)]))}
        for code in sorted(rows)
    ]
    keys = territory_keys(par)
    totaux = {keys[0]: "Total", **cells(sums, lambda name: len(everywhere[name]))}
    return Contenu(
        lignes=lignes,
        totaux=totaux,
        note=NOTE,
        filtres=perimetre.filtres(par=par, annee_etp=year),
        cles=[*keys, *(c.cle for c in COLONNES)],
    )


COLONNES = (
    colonne("services", "Services"),
    colonne("mesures_services", "Mesures des services"),
    colonne("etp_services", "ETP déclarés des services", "decimal"),
    colonne("mesures_par_etp", "Mesures par ETP (services)", "decimal"),
    colonne("individuels", "Mandataires individuels"),
    colonne("mesures_individuels", "Mesures des individuels"),
    colonne("mesures_par_individuel", "Mesures par individuel", "decimal"),
    colonne("preposes", "Préposés"),
    colonne("mesures_preposes", "Mesures des préposés"),
    colonne("mesures_par_prepose", "Mesures par préposé", "decimal"),
    colonne("part_tutelles_preposes", "Part des tutelles chez les préposés", "pourcentage"),
    colonne("mi_moins_20", "Individuels : moins de 20 mesures"),
    colonne("mi_20_39", "Individuels : 20 à 39 mesures"),
    colonne("mi_40_59", "Individuels : 40 à 59 mesures"),
    colonne("mi_60_79", "Individuels : 60 à 79 mesures"),
    colonne("mi_80_plus", "Individuels : 80 mesures et plus"),
)

TABLE = Table(
    nom="charge-professionnels",
    titre="Charge par professionnel et par ETP",
    description="Par territoire : mesures par ETP des services, par mandataire individuel et par préposé, part "
    "des tutelles chez les préposés, mandataires individuels par tranche de mesures.",
    colonnes=(*TERRITOIRE, *COLONNES),
    calcul=charge_professionnels,
    parametres=par_territoire,
    ordre=13,
    graphique=Graphique(
        titre="Charge par ETP et par mandataire individuel",
        legende="Par département : mesures par ETP déclaré des services, et mesures par mandataire individuel.",
        abscisse="departement",
        series=(("mesures_par_etp",), ("mesures_par_individuel",)),
    ),
)
