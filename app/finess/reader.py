"""Reading the Ministry's public FINESS extracts, in their published CSV layout (pure: bytes in, rows out).

Source: data.gouv.fr, Ministère des Solidarités et de la Santé, Licence Ouverte / Etalab 2.0; layouts from the
notices published with the data sets (`etalab_cs1100507.pdf`, `etalab_cs1100505`, `etalab_cs1100501.pdf`).
Every file: separator `;`, no quoting, UTF-8 or Windows-1252 (older extracts), a first line that is a comment
beginning `finess;etalab;` (then a batch number and the extract's date), then one line per record, the record's
section first. Fields read here (0 is the section):

- « FINESS Extraction du Fichier des établissements » (`etalab-cs1100507-stock-AAAAMMJJ-HHMM.csv`):
  `structureet` (31 fields, 32 since `numuai` was added): 1 nofinesset, 2 nofinessej, 3 rs, 4 rslongue,
  5 complrs, 6 compldistrib, 7 numvoie, 8 typvoie, 9 voie, 10 compvoie, 11 lieuditbp, 12 commune (3 digits),
  13 departement (2 characters: `01`…`95`, `2A`, `2B`, `9A`…`9F` overseas), 14 libdepartement,
  15 ligneacheminement, 16 telephone, 17 telecopie, 18 categetab, 19 libcategetab, 20 categagretab,
  21 libcategagretab, 22 siret, 23 codeape, 24 codemft, 25 libmft, 26 codesph, 27 libsph, 28 dateouv,
  29 dateautor, 30 datemaj, 31 numuai; and `geolocalisation` (6 fields): 1 nofinesset, 2 coordxet, 3 coordyet,
  4 sourcecoordet, 5 datemaj. The coordinates (Lambert 93 in metropolitan France, other projections overseas)
  are not used: an establishment is placed at its commune, as the register places every establishment.
- « FINESS Extraction des équipements sociaux et médico-sociaux » (`etalab-cs1100505-stock-….csv`):
  `structureet` (reduced: nofinesset, nofinessej; ignored) and `equipementsocial` (28 fields): 1 nofinesset,
  2 de (discipline), 3 libde, 4 ta (activité, mode de fonctionnement), 5 libta, 6 client (clientèle),
  7 libclient, 8 sourceinfo, 9 capinstot (capacité installée totale), 10 capinsh, 11 capinsf, 12 capinsahs,
  13 ageminins, 14 agemaxins, 15 indsupinst (installation supprimée, O/N), 16 datederinst, 17 datepremautor,
  18 capautot (capacité autorisée totale), 19 capautoh, 20 capautof, 21 capautohabaidsoc, 22 ageminaut,
  23 agemaxaut, 24 indsupaut (autorisation supprimée, O/N), 25 dateautor, 26 datemajaut, 27 datemajinst.
- « FINESS Extraction des entités juridiques » (`etalab-cs1100501-stock-….csv`), `structureej`: 1 nofiness,
  2 rs, 3 rslongue, 4 complrs, 5 numvoie, 6 typvoie, 7 voie, 8 compvoie, 9 compldistrib, 10 lieuditbp,
  11 commune, 12 ligneacheminement, 13 departement, 14 libdepartement, 15 telephone, 16 statutjuridique,
  17 libstatutjuridique, 18 categetab, 19 libcategetab, 20 siren, 21 codeape, 22 datecrea.

Columns added at the end of a record by a later extract are ignored; a record with fewer fields than those read
is rejected, as is an unknown section.
"""

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Generic, TypeVar

from app.registry.constants import FINESS_PATTERN

HEADER = re.compile(r"^finess;etalab\b", re.IGNORECASE)
FINESS = re.compile(FINESS_PATTERN)
DEPARTEMENT = re.compile(r"^(\d{2}|2[AB]|9[A-F])$")
COMMUNE = re.compile(r"^\d{3}$")
CATEGORIE = re.compile(r"^\d{3}$")

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Signalement:
    """A line the report names: rejected (an error) or read with a warning."""

    fichier: str
    ligne: int
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class Structure:
    """A `structureet` record of the establishments' extract."""

    ligne: int
    finess: str
    finess_ej: str
    nom: str
    insee: str
    categorie: str
    libelle_categorie: str
    sph: str | None  # 1: établissement public de santé
    mise_a_jour: date | None


@dataclass(frozen=True, slots=True)
class Equipement:
    """An `equipementsocial` record: one authorised (and installed) activity of an establishment."""

    ligne: int
    finess: str
    discipline: str
    activite: str
    clientele: str
    capacite_installee: int | None
    capacite_autorisee: int | None
    supprime: bool  # the authorisation or the installation was withdrawn


@dataclass(frozen=True, slots=True)
class EntiteJuridique:
    ligne: int
    finess: str
    statut: str
    libelle_statut: str


@dataclass
class Lecture(Generic[T]):
    """What a file gave: its records, the lines rejected and those read with a warning."""

    fichier: str
    encodage: str | None = None
    lignes: int = 0
    enregistrements: list[T] = field(default_factory=list)
    erreurs: list[Signalement] = field(default_factory=list)
    avertissements: list[Signalement] = field(default_factory=list)


def _decode(content: bytes) -> tuple[str, str] | None:
    for encoding, name in (("utf-8-sig", "utf-8"), ("cp1252", "windows-1252")):
        try:
            return content.decode(encoding), name
        except UnicodeDecodeError:
            continue
    return None


def _records(lecture: Lecture[T], content: bytes) -> Iterator[tuple[int, list[str]]]:
    """The records after the header comment, with their line numbers; a file that cannot be read is one error."""
    decoded = _decode(content)
    if decoded is None:
        lecture.erreurs.append(
            Signalement(lecture.fichier, 1, "encodage_illisible", "encodage illisible (ni UTF-8 ni Windows-1252)")
        )
        return
    text, lecture.encodage = decoded
    lines = text.splitlines()
    if not lines or not HEADER.match(lines[0]):
        lecture.erreurs.append(
            Signalement(
                lecture.fichier,
                1,
                "entete_finess_attendue",
                "la première ligne d'une extraction FINESS commence par « finess;etalab; »",
            )
        )
        return
    for number, line in enumerate(lines[1:], start=2):
        lecture.lignes += 1
        try:
            row = next(csv.reader([line], delimiter=";", quoting=csv.QUOTE_NONE), [])
        except csv.Error as error:  # a field past the csv module's limit
            lecture.erreurs.append(
                Signalement(lecture.fichier, number, "ligne_illisible", f"ligne illisible : {error}")
            )
            continue
        if any(cell.strip() for cell in row):
            yield number, [cell.strip() for cell in row]


def _short(lecture: Lecture, number: int, section: str, row: list[str], needed: int) -> bool:
    if len(row) >= needed:
        return False
    lecture.erreurs.append(
        Signalement(
            lecture.fichier,
            number,
            "champs_manquants",
            f"enregistrement « {section} » de {len(row)} champs, {needed} au moins attendus",
        )
    )
    return True


def _unknown_section(lecture: Lecture, number: int, section: str, known: tuple[str, ...]) -> None:
    lecture.erreurs.append(
        Signalement(
            lecture.fichier,
            number,
            "section_inconnue",
            f"section « {section[:40]} » inconnue (attendues : {', '.join(known)})",
        )
    )


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def insee_of(departement: str, commune: str) -> str:
    """The INSEE code of a FINESS (département, commune): overseas départements are `9A`…`9F` in FINESS and
    their communes are numbered 101…, so 9A + 101 is 97101."""
    return f"97{commune}" if departement.startswith("9") and departement[1].isalpha() else departement + commune


def read_etablissements(fichier: str, content: bytes) -> Lecture[Structure]:
    lecture: Lecture[Structure] = Lecture(fichier)
    known = ("structureet", "geolocalisation")
    for number, row in _records(lecture, content):
        section = row[0].lower()
        if section == "geolocalisation":
            _short(lecture, number, section, row, 2)
            continue
        if section != "structureet":
            _unknown_section(lecture, number, row[0], known)
            continue
        if _short(lecture, number, section, row, 31):
            continue
        finess, departement, commune, categorie = row[1], row[13], row[12], row[18]
        problems = []
        if not FINESS.match(finess):
            problems.append(("nofinesset", "numero_finess_invalide", f"numéro FINESS invalide : {finess[:20]}"))
        if not DEPARTEMENT.match(departement) or not COMMUNE.match(commune):
            problems.append(
                ("commune", "commune_invalide", f"département ou commune invalide : {departement[:5]} {commune[:5]}")
            )
        if not CATEGORIE.match(categorie):
            problems.append(("categetab", "categorie_invalide", f"catégorie invalide : {categorie[:10]}"))
        if problems:
            lecture.erreurs += [
                Signalement(fichier, number, code, f"{column} : {message}") for column, code, message in problems
            ]
            continue
        lecture.enregistrements.append(
            Structure(
                ligne=number,
                finess=finess,
                finess_ej=row[2],
                nom=(row[4] or row[3])[:200],
                insee=insee_of(departement, commune),
                categorie=categorie,
                libelle_categorie=row[19],
                sph=row[26] or None,
                mise_a_jour=_date(row[30]),
            )
        )
    return lecture


def _capacity(text: str) -> int | None:
    return int(text) if text else None


def read_equipements(fichier: str, content: bytes) -> Lecture[Equipement]:
    lecture: Lecture[Equipement] = Lecture(fichier)
    known = ("structureet", "equipementsocial")
    for number, row in _records(lecture, content):
        section = row[0].lower()
        if section == "structureet":
            continue
        if section != "equipementsocial":
            _unknown_section(lecture, number, row[0], known)
            continue
        if _short(lecture, number, section, row, 25):
            continue
        try:
            installee, autorisee = _capacity(row[9]), _capacity(row[18])
        except ValueError:
            lecture.erreurs.append(
                Signalement(fichier, number, "capacite_invalide", "capinstot ou capautot : un nombre de places attendu")
            )
            continue
        if not FINESS.match(row[1]):
            lecture.erreurs.append(
                Signalement(fichier, number, "numero_finess_invalide", f"nofinesset : invalide : {row[1][:20]}")
            )
            continue
        lecture.enregistrements.append(
            Equipement(
                ligne=number,
                finess=row[1],
                discipline=row[2],
                activite=row[4],
                clientele=row[6],
                capacite_installee=installee,
                capacite_autorisee=autorisee,
                supprime=row[15].upper() == "O" or row[24].upper() == "O",
            )
        )
    return lecture


def read_entites_juridiques(fichier: str, content: bytes) -> Lecture[EntiteJuridique]:
    lecture: Lecture[EntiteJuridique] = Lecture(fichier)
    for number, row in _records(lecture, content):
        section = row[0].lower()
        if section != "structureej":
            _unknown_section(lecture, number, row[0], ("structureej",))
            continue
        if _short(lecture, number, section, row, 18):
            continue
        lecture.enregistrements.append(
            EntiteJuridique(ligne=number, finess=row[1], statut=row[16], libelle_statut=row[17])
        )
    return lecture
