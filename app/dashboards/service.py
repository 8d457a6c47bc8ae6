"""A declared table computed for a perimeter, and the index of the tables."""

from typing import Any

from sqlalchemy.orm import Session

from app.dashboards.perimeter import Perimetre
from app.dashboards.schemas import Tableau, TableauRef
from app.dashboards.table import Table
from app.dashboards.tables import TABLES
from app.geo.gazetteer import Gazetteer


def tableau(
    table: Table, session: Session, *, gazetteer: Gazetteer, perimetre: Perimetre, parametres: dict[str, Any]
) -> Tableau:
    contenu = table.calcul(session, gazetteer=gazetteer, perimetre=perimetre, **parametres)
    return Tableau(
        nom=table.nom,
        titre=contenu.titre or table.titre,
        note=contenu.note,
        filtres=contenu.filtres,
        colonnes=table.colonnes_de(contenu.cles),
        lignes=contenu.lignes,
        totaux=contenu.totaux,
    )


def index(prefix: str) -> list[TableauRef]:
    return [
        TableauRef(
            nom=table.nom,
            titre=table.titre,
            description=table.description,
            parametres=table.parametres_noms,
            colonnes=list(table.colonnes),
            url=f"{prefix}/{table.nom}",
            csv=f"{prefix}/{table.nom}.csv",
            xlsx=f"{prefix}/{table.nom}.xlsx",
        )
        for table in TABLES.values()
    ]
