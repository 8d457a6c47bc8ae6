"""Individual professionals (MI) per band of measures held, against the 2012 national survey."""

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.dashboards import repository
from app.dashboards.folding import ratio
from app.dashboards.perimeter import Perimetre
from app.dashboards.schemas import Value
from app.dashboards.table import Contenu, Graphique, Table, colonne
from app.geo.gazetteer import Gazetteer
from app.registry.constants import MI_LOAD_BANDS, MandataireType

# The national MI load bands (inclusive bounds), after a band for MIs holding no measure (no 2012 reference).
BANDS: list[tuple[int, int | None, int | None]] = [(0, 0, None), *MI_LOAD_BANDS]

NOTE = (
    "Charge d'un mandataire individuel : mesures en cours + mesures en attente (compteurs tenus à jour). "
    "Bornes incluses : « 1 à 30 » compte de 1 à 30 mesures, « 31 à 50 » de 31 à 50, etc. (les tranches "
    "nationales 1-30, 30-50, 50-80... de 2012) ; la tranche « 0 » n'a pas de repère. Repère : enquête "
    "nationale de 2012 sur 1 018 mandataires individuels. Individuels inscrits (actifs, suspendus ou en "
    "cessation), comptés dans leur département de rattachement."
)


def band_label(low: int, high: int | None) -> str:
    if high is None:
        return f"plus de {low - 1}"
    return str(low) if low == high else f"{low} à {high}"


def histogramme(session: Session, *, gazetteer: Gazetteer, perimetre: Perimetre) -> Contenu:
    p = repository.professionnels(perimetre, statuts=repository.EN_EXERCICE, type=MandataireType.INDIVIDUEL)
    held = p.c.mesures_en_cours + p.c.mesures_en_attente
    band = case(
        *((held <= high, index) for index, (_, high, _) in enumerate(BANDS) if high is not None),
        else_=len(BANDS) - 1,
    )
    banded = repository.within(select(band.label("tranche")), p.c.departement, perimetre).subquery()
    query = select(banded.c.tranche, func.count()).group_by(banded.c.tranche)
    counts = {int(index): int(count) for index, count in session.execute(query)}
    total = sum(counts.values())
    reference_total = sum(reference for _, _, reference in BANDS if reference)
    lignes: list[dict[str, Value]] = [
        {
            "tranche": band_label(low, high),
            "borne_min": low,
            "borne_max": high,
            "individuels": counts.get(index, 0),
            "part": ratio(counts.get(index, 0), total),
            "reference_2012": reference,
            "part_reference_2012": ratio(reference, reference_total) if reference is not None else None,
        }
        for index, (low, high, reference) in enumerate(BANDS)
    ]
    return Contenu(
        lignes=lignes,
        totaux={
            "tranche": "Total",
            "individuels": total,
            "part": 1.0 if total else None,
            "reference_2012": reference_total,
            "part_reference_2012": 1.0,
        },
        note=NOTE,
        filtres=perimetre.filtres(type=MandataireType.INDIVIDUEL),
    )


TABLE = Table(
    nom="histogramme-individuels",
    titre="Charge des mandataires individuels par tranche",
    description="Mandataires individuels par tranche de mesures détenues, avec le repère national de 2012.",
    colonnes=(
        colonne("tranche", "Tranche (mesures)", "texte"),
        colonne("borne_min", "De"),
        colonne("borne_max", "À"),
        colonne("individuels", "Mandataires individuels"),
        colonne("part", "Part", "pourcentage"),
        colonne("reference_2012", "Repère national 2012"),
        colonne("part_reference_2012", "Part en 2012", "pourcentage"),
    ),
    calcul=histogramme,
    ordre=4,
    graphique=Graphique(
        titre="Mandataires individuels par tranche de charge",
        legende="Nombre de mandataires individuels par tranche de mesures en cours (tranches nationales).",
        abscisse="tranche",
        series=(("individuels",),),
    ),
)
