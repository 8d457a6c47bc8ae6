"""The French label of every code a person may read: the one place pages, dashboards, e-mails and error messages
take them from. The API, the CSV/XLSX exports' cells and the database keep the stable codes (`curatelle_renforcee`);
people read these labels ("Curatelle renforcée").

Kernel module (the bottom layer): it imports no domain, so every vocabulary is keyed by its codes as strings; a
domain's `StrEnum` member is equal to its code and finds its label in these dictionaries. `for_enum` gives the
enum-keyed view a domain wants and fails at import when a member has no label (tests/test_labels.py checks every
vocabulary too).
"""

from collections.abc import Mapping
from enum import StrEnum
from typing import TypeVar

E = TypeVar("E", bound=StrEnum)


def for_enum(enum: type[E], vocabulary: Mapping[str, str]) -> dict[E, str]:
    """The labels of an enum's members, in the enum's order; a member without a label is a bug."""
    missing = [member.value for member in enum if member.value not in vocabulary]
    if missing:
        raise KeyError(f"{enum.__name__}: no French label for {missing}")
    return {member: vocabulary[member.value] for member in enum}


def label(vocabulary: Mapping[str, str], code: str | None) -> str:
    """The label of a code, or the code itself when unknown (never an error in a message being written)."""
    if code is None:
        return "–"
    return vocabulary.get(code, code)


# --- the registry -----------------------------------------------------------------------------------------

TYPES_MANDATAIRE = {
    "service": "Service mandataire",
    "individuel": "Mandataire individuel",
    "prepose": "Préposé d'établissement",
}

STATUTS_MANDATAIRE = {
    "actif": "Actif",
    "suspendu": "Suspendu",
    "retire": "Agrément retiré",
    "cessation": "Cessation d'activité",
}

NATURES = {
    "sauvegarde_justice": "Sauvegarde de justice",
    "curatelle_simple": "Curatelle simple",
    "curatelle_renforcee": "Curatelle renforcée",
    "tutelle": "Tutelle",
    "mesure_accompagnement_judiciaire": "Mesure d'accompagnement judiciaire (MAJ)",
    "mjagbf": "Mesure judiciaire d'aide à la gestion du budget familial (MJAGBF)",
    "subroge_curateur": "Subrogé curateur",
    "subroge_tuteur": "Subrogé tuteur",
    "mandat_ad_hoc": "Mandat ad hoc",
    "mandat_protection_future": "Mandat de protection future",
}

LIEUX_VIE = {
    "domicile": "Domicile",
    "etablissement": "Établissement",
    "etablissement_conservation_domicile": "Établissement avec conservation du domicile",
    "sdf": "Sans domicile fixe",
}

CAUSES_SORTIE = {
    "mainlevee": "Mainlevée",
    "deces": "Décès",
    "caducite": "Caducité",
    "dessaisissement_famille": "Dessaisissement au profit de la famille",
    "dessaisissement_autre_mjpm": "Dessaisissement au profit d'un autre mandataire",
    "transfert": "Transfert",
    "autre": "Autre cause",
}

STATUTS_MESURE = {
    "en_attente": "En attente (réservée par un juge)",
    "en_cours": "En cours",
    "eteinte": "Éteinte",
}

SPECIALITES = {
    "belgique": "Intervient en Belgique",
    "psychiatrie": "Psychiatrie",
    "situations_complexes": "Situations complexes",
    "fin_de_vie": "Fin de vie",
    "handicap": "Handicap (dont ESAT, SAVS)",
    "personnes_agees": "Personnes âgées",
    "jeunes_majeurs": "Jeunes majeurs (moins de 25 ans)",
    "patrimoine_complexe": "Patrimoine complexe",
    "exploitants_agricoles": "Exploitants agricoles (MSA)",
    "visites_binome": "Visites en binôme",
}

# Languages a professional declares and a judge may ask for, by ISO 639-1 code (`fsl`, ISO 639-3, for the French
# sign language, which has none): those the people protected in France and Belgium speak most.
LANGUES = {
    "fr": "français",
    "nl": "néerlandais",
    "de": "allemand",
    "en": "anglais",
    "es": "espagnol",
    "it": "italien",
    "pt": "portugais",
    "ar": "arabe",
    "tr": "turc",
    "pl": "polonais",
    "ro": "roumain",
    "ru": "russe",
    "uk": "ukrainien",
    "zh": "chinois",
    "vi": "vietnamien",
    "fa": "persan",
    "ku": "kurde",
    "sq": "albanais",
    "sr": "serbe",
    "hy": "arménien",
    "ta": "tamoul",
    "wo": "wolof",
    "bm": "bambara",
    "ln": "lingala",
    "fsl": "langue des signes française",
}

MOTIFS_ABSENCE = {
    "conges": "Congés",
    "maladie": "Maladie",
    "formation": "Formation",
    "depart_retraite": "Départ à la retraite",
    "autre": "Autre motif",
}

INDICATEURS_OBJECTIF = {
    "mandataires_individuels": "Mandataires individuels actifs",
    "services": "Services mandataires actifs",
    "preposes": "Préposés d'établissement actifs",
    "mesures_en_cours": "Mesures en cours",
}

CATEGORIES_ETABLISSEMENT = {
    "ehpad": "EHPAD",
    "hopital": "Hôpital",
    "hopital_psychiatrique": "Hôpital psychiatrique",
    "foyer_accueil_medicalise": "Foyer d'accueil médicalisé (FAM)",
    "maison_accueil_specialisee": "Maison d'accueil spécialisée (MAS)",
    "usld": "Unité de soins de longue durée (USLD)",
    "residence_autonomie": "Résidence autonomie ou autre hébergement de personnes âgées",
    "foyer_personnes_handicapees": "Foyer d'hébergement ou de vie pour adultes handicapés",
    "autre": "Autre établissement",
}

# --- who is asking ----------------------------------------------------------------------------------------

ROLES = {
    "admin": "administrateur",
    "agent": "agent de la cohésion sociale",
    "magistrat": "magistrat",
    "greffier": "greffier",
    "mandataire": "mandataire",
}

# --- matching and designation -----------------------------------------------------------------------------

CRITERES = {
    "distance": "Distance",
    "capacite": "Capacité libre",
    "profil": "Profil (besoins, lieu de vie)",
    "fraicheur": "Fraîcheur des données",
    "equite": "Équité de répartition",
}

FAMILLES = {
    "non_examine": "Priorité familiale non examinée",
    "aucun_proche_disponible": "Aucun proche disponible",
    "proche_refuse": "Un proche a refusé la mesure",
}

# A reservation's state, as the end of a sentence ("Réservation n° 12 : acceptée.").
STATUTS_RESERVATION = {
    "en_attente": "en attente de la réponse du mandataire",
    "acceptee": "acceptée",
    "refusee": "refusée",
    "annulee": "annulée",
    "expiree": "expirée",
}

# The same states as the object of a verb ("impossible d'accepter une réservation déjà acceptée").
STATUTS_RESERVATION_DEJA = {
    "en_attente": "encore en attente",
    "acceptee": "déjà acceptée",
    "refusee": "déjà refusée",
    "annulee": "annulée",
    "expiree": "expirée",
}

# --- transfers --------------------------------------------------------------------------------------------

MOTIFS_TRANSFERT = {
    "retraite": "Départ à la retraite",
    "retrait_agrement": "Retrait de l'agrément ou de l'autorisation",
    "deces": "Décès",
    "fermeture_antenne": "Fermeture d'une antenne",
    "maladie": "Longue maladie",
    "surcharge": "Surcharge",
    "autre": "Autre motif",
}

STATUTS_TRANSFERT = {"ouvert": "ouvert", "clos": "clôturé"}

DECISIONS_TRANSFERT = {
    "a_decider": "à décider",
    "retenue": "choix retenu",
    "confirmee": "réservation envoyée",
    "acceptee": "acceptée",
}


# --- the dashboards -------------------------------------------------------------------------------------

# The filters and parameters a dashboard table echoes (`filtres`), as the exports' information sheets name them.
FILTRES_TABLEAUX = {
    "territoire": "Territoire",
    "region": "Région",
    "departement": "Département",
    "tribunal": "Tribunal",
    "type": "Type de professionnel",
    "debut": "Début de la période",
    "fin": "Fin de la période",
    "par": "Regroupement",
    "nature": "Nature de mesure",
    "distance_km": "Distance (km)",
    "annee_etp": "Année des ETP",
    "date": "Date",
    "indicateur": "Indicateur",
}

# The values of the tables' `par` parameter.
REGROUPEMENTS = {
    "departement": "par département",
    "region": "par région",
    "mandataire": "par professionnel",
    "etablissement": "par établissement",
    "sans_prepose": "établissements sans préposé",
}


def elide(word: str, before: str) -> str:
    """French elision before a vowel: "de" + "accepter" gives "d'accepter", "le" + "EHPAD" gives "l'EHPAD"."""
    if before.endswith("e") and word[:1].lower() in "aeiouyàâéèêëîïôûù":
        return f"{before[:-1]}'{word}"
    return f"{before} {word}"
