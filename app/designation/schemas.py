from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from app.designation.constants import Famille, ReservationStatut
from app.geo.schemas import Residence
from app.registry.constants import Civilite, LieuVie, MandataireType
from app.registry.schemas import NumeroRg, TribunalRefOut
from app.types import DateISO, Id, Texte

Explication = Annotated[Texte, StringConstraints(strip_whitespace=True, min_length=10, max_length=2000)]


class FamilleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    statut: Famille
    motif: Annotated[Texte, StringConstraints(strip_whitespace=True, max_length=1000)] | None = None

    @model_validator(mode="after")
    def refusal_has_a_reason(self) -> "FamilleIn":
        if self.statut == Famille.PROCHE_REFUSE and not self.motif:
            raise ValueError("motif : obligatoire quand un proche a refusé la mesure")
        return self


class ReservationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    match_id: Annotated[Texte, StringConstraints(min_length=1, max_length=36)]
    mandataire: Id
    antenne: Id | None = Field(default=None, description="Site (antenne) du mandataire, sinon le plus proche")
    numero_rg: NumeroRg
    cabinet: Annotated[Texte, StringConstraints(max_length=50)] | None = None
    date_jugement_prevue: DateISO | None = None
    urgence: bool = False
    civilite: Civilite | None = None
    annee_naissance: Annotated[int, Field(ge=1900, le=2100)] | None = None
    famille: FamilleIn
    hors_liste: bool = Field(default=False, description="Le mandataire ne figurait pas dans la liste proposée")
    justification: Explication | None = None

    @model_validator(mode="after")
    def off_list_is_justified(self) -> "ReservationCreate":
        if self.hors_liste and not self.justification:
            raise ValueError("justification : obligatoire (10 caractères au moins) pour un choix hors liste")
        return self


class ExclusionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mandataire: Id
    motif: Annotated[Texte, StringConstraints(strip_whitespace=True, min_length=3, max_length=1000)] = Field(
        description="Pourquoi le juge écarte ce professionnel (conflit d'intérêts...), gardé dans l'audit"
    )


class AcceptationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    date_nomination: DateISO
    lieu_vie: LieuVie | None = None
    residence: Residence | None = Field(default=None, description="Commune française ou code postal belge, si connue")


class RefusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    motif: Explication


class ReservationOut(BaseModel):
    id: int
    statut: ReservationStatut
    match_id: str | None
    mandataire: int
    mandataire_nom: str
    antenne: int | None
    mesure: int | None
    tribunal: TribunalRefOut
    numero_rg: str
    nature: str
    cabinet: str | None
    date_jugement_prevue: date | None
    urgence: bool
    famille: Famille
    famille_motif: str | None
    hors_liste: bool
    justification: str | None
    motif_refus: str | None
    created_at: datetime
    expires_at: datetime
    reminded_at: datetime | None
    answered_at: datetime | None
    version: int


class LigneNatureExercice(BaseModel):
    nature: str
    exercice: MandataireType
    reservations: int
    en_attente: int
    acceptee: int
    refusee: int
    annulee: int
    expiree: int


class DelaiAcceptation(BaseModel):
    acceptees: int = Field(description="Réservations acceptées dans la période")
    mediane_jours: float | None = Field(description="Délai médian entre la réservation et l'acceptation, en jours")
    p90_jours: float | None = Field(description="9 acceptations sur 10 arrivent dans ce délai (jours)")


class MotifRefus(BaseModel):
    motif: str
    nombre: int


class Expirations(BaseModel):
    nombre: int
    part_des_reponses: float | None = Field(description="Expirées / réservations qui ne sont plus en attente")


class StatistiquesOut(BaseModel):
    tribunal: TribunalRefOut
    debut: date | None
    fin: date | None
    reservations: int
    hors_liste: int
    par_statut: dict[str, int]
    par_nature_exercice: list[LigneNatureExercice]
    delai_acceptation: DelaiAcceptation
    refus: list[MotifRefus]
    expirations: Expirations
