from enum import StrEnum


class MotifTransfert(StrEnum):
    """Why the measures move (the schémas' cases)."""

    RETRAITE = "retraite"
    RETRAIT_AGREMENT = "retrait_agrement"
    DECES = "deces"
    FERMETURE_ANTENNE = "fermeture_antenne"
    MALADIE = "maladie"
    SURCHARGE = "surcharge"
    AUTRE = "autre"


class StatutTransfert(StrEnum):
    OUVERT = "ouvert"
    CLOS = "clos"


class Decision(StrEnum):
    """A measure's state in the plan. `a_decider` → `retenue` (the judge keeps the proposal or picks another) →
    `confirmee` (a reservation is sent to the new professional) → `acceptee`, or back to `a_decider` when the
    professional declines, the reservation is cancelled or it expires (the next alternative is then proposed)."""

    A_DECIDER = "a_decider"
    RETENUE = "retenue"
    CONFIRMEE = "confirmee"
    ACCEPTEE = "acceptee"
