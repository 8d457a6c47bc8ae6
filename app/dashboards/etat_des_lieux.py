"""The état des lieux of a regional schéma in one XLSX workbook: the declared tables a schéma's état des lieux is
built from, per département, computed for the caller's filters exactly as their JSON routes compute them, one sheet
each, after a first sheet saying the territory, the date, the sources and what each sheet holds."""

import inspect
from dataclasses import dataclass
from datetime import date
from typing import Any

import xlsxwriter
from sqlalchemy.orm import Session

from app.config import Settings
from app.dashboards import service
from app.dashboards.exports import filter_lines, workbook_bytes, write_about, write_sheet
from app.dashboards.perimeter import Perimetre
from app.dashboards.schemas import Tableau, Value
from app.dashboards.tables import TABLES
from app.geo.gazetteer import Gazetteer

SOURCES = (
    "Registre des mandataires judiciaires à la protection des majeurs tenu par ce service : professionnels inscrits, "
    "leurs mesures (dates de nomination et de fin, cause de sortie, nature, tribunal), les réservations des juges et "
    "leurs réponses, les ETP déclarés par les services ; établissements et capacités du répertoire FINESS (extraits "
    "publics du ministère importés) ; objectifs du schéma enregistrés par les agents. Territoires : code officiel "
    "géographique de l'INSEE. Tout est recalculé à la date de production depuis les données du registre ; chaque "
    "feuille reprend exactement le tableau de bord du même nom (mêmes filtres), à retrouver en JSON et CSV sous "
    "/tableaux-de-bord/."
)


@dataclass(frozen=True, slots=True)
class Feuille:
    """A sheet of the workbook: a declared table with fixed parameters (per département)."""

    titre: str  # the sheet's name, at most 31 characters
    table: str
    parametres: dict[str, Any]


FEUILLES = (
    Feuille("Stock et flux annuels", "annees", {"par": "departement"}),
    Feuille("Implantation", "implantation", {"par": "departement"}),
    Feuille("Charge et ETP", "charge-professionnels", {"par": "departement"}),
    Feuille("DPF", "dpf", {"par": "departement"}),
    Feuille("Obligation de préposé", "preposes", {"par": "departement"}),
    Feuille("Objectifs du schéma", "objectifs", {}),
)


def _parametres(feuille: Feuille, settings: Settings) -> dict[str, Any]:
    """The table's own parameters dependency called with the sheet's values (its defaults for the others) and the
    settings when it reads them, so a sheet holds what the table's route answers for these parameters."""
    table = TABLES[feuille.table]
    injected = {"settings": settings} if "settings" in inspect.signature(table.parametres).parameters else {}
    return table.parametres(**injected, **feuille.parametres)


def tableaux(
    session: Session, *, gazetteer: Gazetteer, perimetre: Perimetre, settings: Settings
) -> list[tuple[Feuille, Tableau]]:
    return [
        (
            feuille,
            service.tableau(
                TABLES[feuille.table],
                session,
                gazetteer=gazetteer,
                perimetre=perimetre,
                parametres=_parametres(feuille, settings),
            ),
        )
        for feuille in FEUILLES
    ]


def _region(gazetteer: Gazetteer, perimetre: Perimetre) -> str | None:
    """The région the perimeter is, whether asked (`region`) or the caller's own territory (an agent of a région
    asking without filter): the code of the région whose départements are exactly those of the perimeter (not one
    narrowed to a département by `departement`)."""
    if perimetre.tribunal is not None or not perimetre.departements:
        return None
    regions = {d.region for c in perimetre.departements if (d := gazetteer.departements.get(c)) is not None}
    if len(regions) != 1 or (code := regions.pop()) is None:
        return None
    whole = {c for c, d in gazetteer.departements.items() if d.region == code}
    return code if whole == set(perimetre.departements) else None


def territoire(gazetteer: Gazetteer, perimetre: Perimetre) -> str:
    """The territory in words: the région, else the départements of the perimeter, else the country."""
    if perimetre.tribunal is not None:
        return f"Tribunal {perimetre.tribunal.nom} (département {perimetre.tribunal.departement})"
    if perimetre.departements is None:
        return "France entière"
    named = ", ".join(
        f"{code} {d.nom}" if (d := gazetteer.departements.get(code)) else code
        for code in sorted(perimetre.departements)
    )
    code = _region(gazetteer, perimetre)
    if code is not None and (region := gazetteer.regions.get(code)) is not None:
        return f"Région {region.nom} ({code}) : {named}"
    return f"{'Département' if len(perimetre.departements) == 1 else 'Départements'} {named}"


def nom_fichier(gazetteer: Gazetteer, perimetre: Perimetre, today: date) -> str:
    """`etat-des-lieux-<région, département or « territoire »>-<date>.xlsx`."""
    where = _region(gazetteer, perimetre)
    if where is None and perimetre.tribunal is None and perimetre.departements and len(perimetre.departements) == 1:
        where = next(iter(perimetre.departements))
    return f"etat-des-lieux-{where or 'territoire'}-{today.isoformat()}.xlsx"


def to_workbook(sheets: list[tuple[Feuille, Tableau]], *, territoire: str, today: date) -> bytes:
    lines: list[tuple[str, Value]] = [
        (
            "Document",
            "État des lieux de l'offre de protection juridique des majeurs et d'aide à la gestion du budget familial",
        ),
        ("Territoire", territoire),
        ("Produit le", today.strftime("%d/%m/%Y")),
        ("Sources", SOURCES),
        ("", None),
    ]
    for feuille, tableau in sheets:
        lines += [
            (f"Feuille « {feuille.titre} »", tableau.titre),
            ("Contenu", TABLES[feuille.table].description),
            ("Définitions", tableau.note or ""),
            *filter_lines(tableau),
            ("", None),
        ]

    def fill(workbook: xlsxwriter.Workbook) -> None:
        write_about(workbook, "Présentation", lines)
        for feuille, tableau in sheets:
            write_sheet(workbook, feuille.titre, tableau)

    return workbook_bytes(fill)
