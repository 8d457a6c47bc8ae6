"""Pending reservations: the one behind each measure `en_attente`, as if a judge had reserved the place through
the API in the last two months (it expires like one)."""

from datetime import datetime, timedelta

from app.demo import tunables as t
from app.demo.draft import Draft
from app.demo.draws import Picker
from app.demo.names import FAMILY_REFUSALS
from app.designation.constants import Famille, ReservationStatut

FAMILLE_PICKER = Picker.of(t.FAMILLE_MIX)


def reserve(
    draft: Draft,
    mesure_id: int,
    mandataire_id: int,
    site_id: int,
    tribunal_id: int,
    numero_rg: str,
    nature: str,
    created_at: datetime,
) -> None:
    rng = draft.rng
    famille = FAMILLE_PICKER.pick(rng)
    draft.reservations.append(
        {
            "id": len(draft.reservations) + 1,
            "mesure_id": mesure_id,
            "match_id": None,
            "mandataire_id": mandataire_id,
            "site_id": site_id,
            "tribunal_id": tribunal_id,
            "token_id": None,
            "numero_rg": numero_rg,
            "nature": nature,
            "statut": str(ReservationStatut.EN_ATTENTE),
            "cabinet": None,
            "date_jugement_prevue": None,
            "urgence": rng.random() < t.URGENCE_RATE,
            "famille": str(famille),
            "famille_motif": rng.choice(FAMILY_REFUSALS) if famille == Famille.PROCHE_REFUSE else None,
            "hors_liste": False,
            "justification": None,
            "motif_refus": None,
            "idempotency_key": None,
            "created_at": created_at,
            "expires_at": created_at + timedelta(days=draft.reservation_expiry_days),
            "reminded_at": None,
            "answered_at": None,
            "version": 1,
        }
    )
