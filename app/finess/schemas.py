"""The report of a FINESS import, as the API returns it and the command line prints it."""

from pydantic import BaseModel, Field
from pydantic.json_schema import SkipJsonSchema

from app.errors import ErrorItem


class Signalement(BaseModel):
    fichier: str = Field(description="Le fichier en cause : etablissements, equipements ou entites_juridiques")
    ligne: int = Field(description="Numéro de ligne dans le fichier (la ligne de commentaire en tête est la 1)")
    code: str
    message: str


class FichierLu(BaseModel):
    fichier: str = Field(description="etablissements, equipements ou entites_juridiques")
    nom: str = Field(description="Nom du fichier envoyé")
    encodage: str | None
    lignes: int = Field(description="Lignes lues après la ligne de commentaire")


class FinessImportOut(BaseModel):
    essai: bool = Field(description="true : import à blanc, rien n'est écrit")
    applique: bool = Field(description="true : les établissements ont été enregistrés ; false : rien n'a été écrit")
    fichiers: list[FichierLu]
    etablissements: int = Field(description="Établissements (enregistrements structureet) lus")
    retenus: int = Field(description="Établissements des catégories où vivent des majeurs protégés")
    crees: int
    modifies: int
    inchanges: int
    ignores: int = Field(description="Établissements d'autres catégories, ou d'une commune inconnue")
    soumis_obligation: int = Field(description="Établissements retenus soumis à l'obligation d'un préposé")
    erreurs: list[Signalement]
    avertissements: list[Signalement]


class FinessImportRejected(BaseModel):
    detail: list[ErrorItem]
    rapport: FinessImportOut | SkipJsonSchema[None] = Field(
        default=None, description="Rapport de l'import ; absent quand la requête elle-même est invalide"
    )
