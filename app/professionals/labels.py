"""Labels of e-MJPM and of French spreadsheets, read as our codes ("Curatelle renforcée", "En établissement",
"F"...), accent-, case- and punctuation-insensitively, and dates as spreadsheets write them. Pure code, used by
the schemas of the vendor shape (batches) and by the spreadsheet reader (imports).
"""

import re
from collections.abc import Iterable
from datetime import date, datetime
from enum import StrEnum

from pydantic_core import PydanticCustomError

from app.geo.gazetteer import normalize_name
from app.registry.constants import CauseSortie, Champ, Civilite, LieuVie, Nature


def _table(enum: type[StrEnum], labels: dict[StrEnum, Iterable[str]]) -> dict[str, str]:
    """Label -> code, for labels as written and normalised; every code is its own label (`curatelle_renforcee`)."""
    table = {member.value: member.value for member in enum}
    for member, names in labels.items():
        for name in names:
            table[name] = member.value
    table.update({normalize_name(label): code for label, code in list(table.items())})
    return table


NATURES = _table(
    Nature,
    {
        Nature.SAUVEGARDE_JUSTICE: ["sauvegarde de justice", "sauvegarde de justice avec mandat spécial", "sauvegarde"],
        Nature.CURATELLE_SIMPLE: ["curatelle simple", "curatelle"],
        Nature.CURATELLE_RENFORCEE: ["curatelle renforcée"],
        Nature.TUTELLE: ["tutelle"],
        Nature.MESURE_ACCOMPAGNEMENT_JUDICIAIRE: ["mesure d'accompagnement judiciaire", "MAJ"],
        Nature.MJAGBF: ["mesure judiciaire d'aide à la gestion du budget familial", "MJAGBF"],
        Nature.SUBROGE_CURATEUR: ["subrogé curateur"],
        Nature.SUBROGE_TUTEUR: ["subrogé tuteur"],
        Nature.MANDAT_AD_HOC: ["mandat ad hoc", "mesure ad hoc", "mesure_ad_hoc"],
        Nature.MANDAT_PROTECTION_FUTURE: ["mandat de protection future"],
    },
)
CHAMPS = _table(
    Champ,
    {
        Champ.BIEN: ["protection_bien", "aux biens", "protection aux biens", "protection des biens"],
        Champ.PERSONNE: ["protection_personne", "à la personne", "protection à la personne", "de la personne"],
        Champ.BIEN_PERSONNE: [
            "protection_bien_personne",
            "aux biens et à la personne",
            "protection aux biens et à la personne",
            "protection des biens et de la personne",
        ],
    },
)
# e-MJPM's template wrote the champ inside the type: "tutelle aux biens et à la personne" (longest suffix first).
TYPE_CHAMP_SUFFIXES = [
    (" " + normalize_name(suffix), champ)
    for suffix, champ in (
        ("aux biens et à la personne", Champ.BIEN_PERSONNE),
        ("à la personne", Champ.PERSONNE),
        ("aux biens", Champ.BIEN),
    )
]
LIEUX_VIE = _table(
    LieuVie,
    {
        LieuVie.DOMICILE: ["domicile", "à domicile"],
        LieuVie.ETABLISSEMENT: ["établissement", "en établissement"],
        LieuVie.ETABLISSEMENT_CONSERVATION_DOMICILE: [
            "établissement avec conservation du domicile",
            "en établissement avec conservation du domicile",
        ],
        LieuVie.SDF: ["SDF", "sans domicile fixe"],
    },
)
CIVILITES = _table(
    Civilite,
    {Civilite.MADAME: ["madame", "mme", "F", "femme"], Civilite.MONSIEUR: ["monsieur", "M", "mr", "H", "homme"]},
)
CAUSES_SORTIE = _table(
    CauseSortie,
    {
        CauseSortie.MAINLEVEE: ["mainlevée"],
        CauseSortie.DECES: ["décès"],
        CauseSortie.CADUCITE: ["caducité"],
        CauseSortie.DESSAISISSEMENT_FAMILLE: ["dessaisissement en faveur de la famille"],
        CauseSortie.DESSAISISSEMENT_AUTRE_MJPM: [
            "dessaisissement en faveur d'un autre MJPM",
            "dessaisissement en faveur d'autre MJPM",
        ],
    },
)


def _lookup(table: dict[str, str], value, what: str, examples: str) -> str:
    if not isinstance(value, str):
        raise PydanticCustomError("valeur_inconnue", "{what} : texte attendu", {"what": what})
    code = table.get(value) or table.get(normalize_name(value))
    if code is None:
        raise PydanticCustomError(
            "valeur_inconnue",
            "{what} inconnu(e) : « {value} » (par exemple : {examples})",
            {"what": what, "value": value[:60], "examples": examples},
        )
    return code


def nature_code(value):
    return _lookup(NATURES, value, "nature", "Tutelle, Curatelle renforcée, Sauvegarde de justice, tutelle")


def champ_code(value):
    return _lookup(CHAMPS, value, "champ", "protection_bien_personne, aux biens, à la personne")


def lieu_vie_code(value):
    examples = "Domicile, En établissement, En établissement avec conservation du domicile, SDF"
    return _lookup(LIEUX_VIE, value, "lieu de vie", examples)


def civilite_code(value):
    return _lookup(CIVILITES, value, "civilité", "madame, monsieur, F, H")


def cause_sortie_code(value):
    return _lookup(CAUSES_SORTIE, value, "cause de sortie", "mainlevee, deces, Caducité")


def split_type(label: str) -> tuple[str, str | None]:
    """A template `type` → (nature label, champ code or None): "Tutelle aux biens" → ("tutelle", "bien")."""
    key = normalize_name(label)
    for suffix, champ in TYPE_CHAMP_SUFFIXES:
        if key.endswith(suffix) and key[: -len(suffix)] in NATURES:
            return key[: -len(suffix)], champ.value
    return label, None


DATE_FR = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


def parse_date(value):
    """JJ/MM/AAAA (French spreadsheets), AAAA-MM-JJ (ISO, the API), or a date/datetime cell."""
    if value is None or isinstance(value, date):
        return value.date() if isinstance(value, datetime) else value
    if not isinstance(value, str):
        raise PydanticCustomError("date_invalide", "date attendue (JJ/MM/AAAA ou AAAA-MM-JJ)")
    text = value.strip()
    try:
        if len(text) == 10 and text[4] == "-":
            return date.fromisoformat(text)
        match = DATE_FR.match(text)
        if match:
            day, month, year = (int(part) for part in match.groups())
            return date(year, month, day)
        if re.match(r"^\d{4}-\d{2}-\d{2}([T ][\d:.]+)?$", text):
            return date.fromisoformat(text[:10])
    except ValueError:
        pass
    raise PydanticCustomError(
        "date_invalide", "date invalide : « {value} » (attendu JJ/MM/AAAA ou AAAA-MM-JJ)", {"value": text[:40]}
    )
