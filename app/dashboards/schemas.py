"""The one shape of every dashboard table, in JSON and in the exports; the web pages render it generically.

Values by column type: `texte` a string, `entier` an integer, `decimal` a number, `pourcentage` a ratio
(0.25 means 25 %), `date` an ISO date; any value may be null (not applicable, e.g. an occupancy without capacity).
"""

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field

ColumnType = Literal["texte", "entier", "decimal", "pourcentage", "date"]
Value = str | int | float | date | None


class Colonne(BaseModel):
    cle: str
    libelle: str
    type: ColumnType


class Tableau(BaseModel):
    nom: str = Field(description="Nom du tableau, tel qu'il figure dans son URL")
    titre: str
    note: str | None = Field(description="Définitions et choix de calcul, à afficher sous le tableau")
    filtres: dict[str, Any] = Field(
        description="Filtres appliqués (ceux que ce tableau prend en compte) ; `territoire` : départements du "
        "périmètre, null pour la France entière"
    )
    colonnes: list[Colonne]
    lignes: list[dict[str, Value]]
    totaux: dict[str, Value] | None


class TableauRef(BaseModel):
    nom: str
    titre: str
    description: str
    parametres: list[str] = Field(description="Paramètres de requête acceptés en plus des filtres communs")
    colonnes: list[Colonne] = Field(
        description="Toutes les colonnes que le tableau peut montrer, dans l'ordre ; une réponse en montre une "
        "partie selon ses paramètres. Une clé entre accolades (`annee_{annee}`) déclare une famille : une colonne "
        "par valeur (`annee_2024`, libellée `2024`)."
    )
    url: str
    csv: str
    xlsx: str


class IndexTableaux(BaseModel):
    filtres_communs: list[str]
    tableaux: list[TableauRef]
