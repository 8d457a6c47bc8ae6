"""A tribunal's designation figures over a period: reservations by nature and exercice, time to acceptance,
refusals with their reasons, expiries. Pure folding: rows in (`repository.statistics_rows`), figures out."""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from app.designation.constants import ReservationStatut

STATUTS = tuple(s.value for s in ReservationStatut)


@dataclass(frozen=True, slots=True)
class Row:
    nature: str
    exercice: str
    statut: str
    hors_liste: bool
    created_at: datetime
    answered_at: datetime | None
    motif_refus: str | None


def _days(created_at: datetime, answered_at: datetime) -> float:
    return (answered_at - created_at).total_seconds() / 86400.0


def fold(rows: list[Row]) -> dict:
    """The figures in the shape of `StatistiquesOut` (without the tribunal and the period).

    Time to acceptance counts accepted reservations only, from the reservation to the answer, in days; the median
    and the 90th percentile interpolate linearly between ranks (numpy's default)."""
    by_group: dict[tuple[str, str], Counter[str]] = {}
    for row in rows:
        by_group.setdefault((row.nature, row.exercice), Counter())[row.statut] += 1
    delays = [
        _days(r.created_at, r.answered_at)
        for r in rows
        if r.statut == ReservationStatut.ACCEPTEE and r.answered_at is not None
    ]
    refusals = Counter(r.motif_refus.strip() for r in rows if r.statut == ReservationStatut.REFUSEE and r.motif_refus)
    per_statut = Counter(r.statut for r in rows)
    answered = sum(per_statut[s] for s in STATUTS if s != ReservationStatut.EN_ATTENTE)
    return {
        "reservations": len(rows),
        "hors_liste": sum(r.hors_liste for r in rows),
        "par_statut": {statut: per_statut[statut] for statut in STATUTS},
        "par_nature_exercice": [
            {"nature": nature, "exercice": exercice, "reservations": sum(counts.values())}
            | {statut: counts[statut] for statut in STATUTS}
            for (nature, exercice), counts in sorted(by_group.items())
        ],
        "delai_acceptation": {
            "acceptees": len(delays),
            "mediane_jours": round(float(np.median(delays)), 1) if delays else None,
            "p90_jours": round(float(np.percentile(delays, 90)), 1) if delays else None,
        },
        "refus": [
            {"motif": motif, "nombre": count}
            for motif, count in sorted(refusals.items(), key=lambda item: (-item[1], item[0]))
        ],
        "expirations": {
            "nombre": per_statut[ReservationStatut.EXPIREE],
            "part_des_reponses": round(per_statut[ReservationStatut.EXPIREE] / answered, 4) if answered else None,
        },
    }
