"""The ETP (full-time equivalents) each service declares for every year of the history: its stock of measures at
31 December (today for this year) divided by a ratio of measures per ETP of its own, with a little noise from one
year to the next, so that its ETP grow with its caseload (`tunables.MEASURES_PER_ETP`, `tunables.ETP_NOISE`)."""

from datetime import UTC, date, datetime, time

from app.demo import tunables as t
from app.demo.draft import Draft
from app.demo.measures import MESURE_KEYS
from app.registry.constants import MandataireType

MANDATAIRE, NOMINATION, FIN = (MESURE_KEYS.index(k) for k in ("mandataire_id", "date_nomination", "date_fin_mesure"))


def stock_by_year(draft: Draft, services: set[int]) -> dict[int, list[int]]:
    """Service → its measures held at the end of each year of the history (31 December, today for this year)."""
    first, last = draft.history_start.year, draft.today.year
    # Per service, +1 at the first year-end a measure is held and -1 after the last: summed, the stock.
    changes = {m: [0] * (last - first + 2) for m in services}
    for row in draft.mesures:
        steps = changes.get(row[MANDATAIRE])
        nomination = row[NOMINATION]
        if steps is None or nomination is None:
            continue
        end = row[FIN]
        # Held at the end of year Y when named by then and not ended by then (ended on 31 December: not held).
        upto = last if end is None else end.year - 1
        if upto < first or nomination.year > upto:
            continue
        steps[max(nomination.year, first) - first] += 1
        steps[upto - first + 1] -= 1
    stocks = {}
    for mandataire_id, steps in changes.items():
        running, held = 0, []
        for step in steps[:-1]:
            running += step
            held.append(running)
        stocks[mandataire_id] = held
    return stocks


def etp_rows(draft: Draft) -> list[dict]:
    """The `etp_service` rows: one per service and year of the history in which it held measures."""
    rng, first = draft.rng, draft.history_start.year
    services = sorted(m.id for m in draft.mandataires if m.type == MandataireType.SERVICE)
    stocks = stock_by_year(draft, set(services))
    rows = []
    for mandataire_id in services:
        ratio = rng.uniform(*t.MEASURES_PER_ETP)
        for offset, held in enumerate(stocks[mandataire_id]):
            noise = rng.gauss(1.0, t.ETP_NOISE)
            if not held:
                continue
            annee = first + offset
            # Declared early the next year (this year's, today).
            declared = min(datetime.combine(date(annee + 1, 1, 31), time(8, 30), tzinfo=UTC), draft.anchor)
            etp = max(t.MIN_ETP, round(held / ratio * noise, 1))
            rows.append({"mandataire_id": mandataire_id, "annee": annee, "etp": etp, "updated_at": declared})
    return rows
