"""Reservations as judges made them through the API: the pending one behind each measure `en_attente` (made in the
last two months, it expires like one), and the history's, answered: each opening of the history made through a
reservation has its accepted one, sometimes after a refusal by, or an expiry at, another professional (the judge
then reserved the same case number again). Refused and expired reservations keep no measure, as the service leaves
them (`app.designation.service._release`); an accepted one keeps its measure, named on the day of the answer."""

from datetime import datetime, timedelta

from app.demo import tunables as t
from app.demo.draft import Draft
from app.demo.draws import Picker
from app.demo.names import FAMILY_REFUSALS, RESERVATION_REFUSALS
from app.designation.constants import Famille, ReservationStatut
from app.registry.constants import MandataireType

FAMILLE_PICKER = Picker.of(t.FAMILLE_MIX)
# Columns of a reservation row, in the order of the tuples `reserve` builds (the others stay empty).
RESERVATION_KEYS = (
    "id",
    "mesure_id",
    "mandataire_id",
    "site_id",
    "tribunal_id",
    "numero_rg",
    "nature",
    "statut",
    "urgence",
    "famille",
    "famille_motif",
    "hors_liste",
    "motif_refus",
    "created_at",
    "expires_at",
    "reminded_at",
    "answered_at",
    "version",
)
# A reminder goes this many days before the expiry (the settings' default: the demo has no settings).
REMINDER_DAYS = 14


def reserve(
    draft: Draft,
    *,
    mesure_id: int | None,
    mandataire_id: int,
    site_id: int,
    tribunal_id: int,
    numero_rg: str,
    nature: str,
    created_at: datetime,
    statut: ReservationStatut = ReservationStatut.EN_ATTENTE,
    answered_at: datetime | None = None,
) -> None:
    rng = draft.rng
    famille = FAMILLE_PICKER.pick(rng)
    expires_at = created_at + timedelta(days=draft.reservation_expiry_days)
    reminded = statut == ReservationStatut.EXPIREE or (answered_at is not None and answered_at > expires_at)
    draft.reservations.append(
        (
            len(draft.reservations) + 1,
            mesure_id,
            mandataire_id,
            site_id,
            tribunal_id,
            numero_rg,
            nature,
            str(statut),
            rng.random() < t.URGENCE_RATE,
            str(famille),
            rng.choice(FAMILY_REFUSALS) if famille == Famille.PROCHE_REFUSE else None,
            False,
            rng.choice(RESERVATION_REFUSALS) if statut == ReservationStatut.REFUSEE else None,
            created_at,
            expires_at,
            expires_at - timedelta(days=REMINDER_DAYS) if reminded else None,
            answered_at,
            1 if answered_at is None else 2,
        )
    )


def others(draft: Draft, departement: str, nature: str) -> list[tuple[int, int]]:
    """(professional, its first site) of those a judge of the département could have reserved for the nature
    (préposés aside: they take their establishments' residents)."""
    key = (departement, nature)
    found = draft.candidates.get(key)
    if found is None:
        found = draft.candidates[key] = [
            (m.id, m.sites[0].id)
            for m in draft.mandataires
            if m.type != MandataireType.PREPOSE and departement in m.departements and nature in m.natures
        ]
    return found


def answer_delay(draft: Draft, mean_days: float) -> timedelta:
    """How long a professional takes to answer (within the reservation's life)."""
    return timedelta(days=min(draft.reservation_expiry_days - 0.1, draft.rng.expovariate(1 / mean_days)))


def history(
    draft: Draft,
    *,
    mandataire_id: int,
    departement: str,
    tribunal_id: int,
    numero_rg: str,
    nature: str,
    created_at: datetime,
) -> None:
    """What a judge reserved for a case before the reservation made at `created_at`: another professional's
    refusal or expiry, or nothing."""
    rng = draft.rng
    draw = rng.random()
    if draw >= t.REFUSED_FIRST + t.EXPIRED_FIRST:
        return
    pool = others(draft, departement, nature)
    if len(pool) < 2:
        return
    other, site_id = rng.choice(pool)
    if other == mandataire_id:
        return
    answered = created_at - timedelta(hours=rng.uniform(1.0, 48.0))  # the judge reserves again after the answer
    if draw < t.REFUSED_FIRST:
        statut, life = ReservationStatut.REFUSEE, answer_delay(draft, t.REFUSAL_DAYS)
    else:
        statut, life = ReservationStatut.EXPIREE, timedelta(days=draft.reservation_expiry_days, minutes=5)
    reserve(
        draft,
        mesure_id=None,
        mandataire_id=other,
        site_id=site_id,
        tribunal_id=tribunal_id,
        numero_rg=numero_rg,
        nature=nature,
        created_at=answered - life,
        statut=statut,
        answered_at=answered,
    )
