"""API schemas of the reference geography: the residence a caller gives, the location we resolve."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from app.geo.constants import INSEE_PATTERN
from app.types import Texte

InseeCode = Annotated[str, StringConstraints(pattern=INSEE_PATTERN)]
FrenchPostcode = Annotated[str, StringConstraints(pattern=r"^\d{5}$")]
BelgianPostcode = Annotated[str, StringConstraints(pattern=r"^[1-9]\d{3}$")]
NisCode = Annotated[str, StringConstraints(pattern=r"^\d{5}$")]
Precision = Literal["adresse", "commune", "code_postal", "point"]


class Residence(BaseModel):
    """Where a person lives, in one of four forms.

    France: `{insee}`, `{code_postal, commune?}` or `{lat, lon}` (with an optional street `adresse`, used only
    when an online geocoder is configured and never stored); Belgium: `{pays: "BE", code_postal | nis}`.
    """

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"insee": "59350"}, {"pays": "BE", "code_postal": "7500"}]}
    )

    pays: Literal["FR", "BE"] = "FR"
    insee: InseeCode | None = None
    code_postal: Annotated[str, StringConstraints(pattern=r"^\d{4,5}$")] | None = None
    commune: Annotated[Texte, StringConstraints(min_length=1, max_length=100)] | None = None
    nis: NisCode | None = None
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    adresse: Annotated[Texte, StringConstraints(min_length=3, max_length=200)] | None = None

    @model_validator(mode="after")
    def one_form(self) -> "Residence":
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat et lon vont ensemble : donnez les deux ou aucun")
        if self.pays == "BE":
            if self.insee or self.lat is not None or self.adresse:
                raise ValueError("une résidence en Belgique se donne par code_postal (4 chiffres) ou nis")
            if not (self.code_postal or self.nis):
                raise ValueError("une résidence en Belgique demande code_postal ou nis")
            if self.code_postal and len(self.code_postal) != 4:
                raise ValueError("code_postal : un code postal belge a 4 chiffres")
            return self
        if self.nis:
            raise ValueError("nis : réservé aux résidences en Belgique (pays = BE)")
        forms = [self.insee is not None, self.code_postal is not None, self.lat is not None]
        if sum(forms) != 1 and not (self.adresse and sum(forms) <= 1):
            raise ValueError("donnez exactement une forme : insee, code_postal (avec commune facultative) ou lat/lon")
        if self.code_postal and len(self.code_postal) != 5:
            raise ValueError("code_postal : un code postal français a 5 chiffres (utilisez pays = BE pour la Belgique)")
        if self.commune and not self.code_postal:
            raise ValueError("commune : s'utilise avec code_postal")
        return self


class CommuneRef(BaseModel):
    insee: str
    nom: str


class TerritoryRef(BaseModel):
    code: str
    nom: str


class BelgianMunicipalityRef(BaseModel):
    nis: str
    nom_fr: str
    nom_nl: str


class Location(BaseModel):
    pays: Literal["FR", "BE"]
    lat: float
    lon: float
    precision: Precision
    commune: CommuneRef | None = Field(default=None, description="Commune française (la plus proche pour un point)")
    departement: TerritoryRef | None = None
    region: TerritoryRef | None = None
    commune_belge: BelgianMunicipalityRef | None = None


class CommuneOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    insee: str
    nom: str
    departement: str
    region: str
    codes_postaux: list[str]
    population: int
    lat: float
    lon: float


class CommunePage(BaseModel):
    total: int
    items: list[CommuneOut]


class DepartementOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    nom: str
    region: str


class RegionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    nom: str


class TribunalOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str = Field(description="Code stable du ministère (MNEMO)")
    siret: str | None
    nom: str
    type: Literal["tribunal_judiciaire", "tribunal_proximite"]
    insee: str
    commune: str
    departement: str
    lat: float
    lon: float
    adresse: str
    email: str | None


class BelgianMunicipalityOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    nis: str
    nom_fr: str
    nom_nl: str
    codes_postaux: list[str]
    lat: float
    lon: float


class BelgianMunicipalityPage(BaseModel):
    total: int
    items: list[BelgianMunicipalityOut]
