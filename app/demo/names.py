"""Invented names and French forms: no real person appears in the demo data.

People's names are common first names with surnames assembled from syllables; associations and residences
take ordinary words; telephone numbers come from the blocks ARCEP reserves for fiction.
"""

FIRST_NAMES = (
    "Camille",
    "Dominique",
    "Claude",
    "Alix",
    "Sacha",
    "Morgane",
    "Maxime",
    "Lou",
    "Noa",
    "Élise",
    "Hélène",
    "Agathe",
    "Bérénice",
    "Colette",
    "Delphine",
    "Estelle",
    "Fanny",
    "Gaëlle",
    "Inès",
    "Joëlle",
    "Laure",
    "Maud",
    "Nadège",
    "Ophélie",
    "Perrine",
    "Rosalie",
    "Solène",
    "Viviane",
    "Adrien",
    "Bastien",
    "Corentin",
    "Damien",
    "Étienne",
    "Fabien",
    "Gaspard",
    "Hugo",
    "Jérôme",
    "Lilian",
    "Mathis",
    "Nathan",
    "Olivier",
    "Pascal",
    "Rémi",
    "Sylvain",
    "Thibault",
    "Valentin",
    "Yann",
    "Zacharie",
)
SURNAME_HEADS = (
    "Bel",
    "Cor",
    "Dar",
    "Fon",
    "Gar",
    "Lam",
    "Mar",
    "Ros",
    "Ver",
    "Val",
    "Mor",
    "Sau",
    "Tes",
    "Bra",
    "Cla",
    "Del",
    "Gri",
    "Lan",
    "Pel",
    "Ram",
    "Bou",
    "Cha",
    "Fer",
    "Jou",
    "Lor",
    "Mon",
    "Pra",
    "Sor",
    "Tal",
    "Vir",
)
SURNAME_TAILS = (
    "ette",
    "ier",
    "ard",
    "ville",
    "mont",
    "eau",
    "ac",
    "in",
    "oux",
    "elle",
    "ot",
    "aud",
    "eron",
    "ignac",
    "oley",
    "anges",
    "ery",
    "usson",
    "ois",
    "ande",
)
ASSOCIATION_WORDS = (
    "Horizon",
    "Solidarité",
    "Trait d'Union",
    "Passerelle",
    "Confluence",
    "Boussole",
    "Relais",
    "Équinoxe",
    "Escale",
    "Cap Avenir",
    "Ancrage",
    "Sillage",
)
RESIDENCE_NAMES = (
    "Les Tilleuls",
    "Les Glycines",
    "Le Clos Fleuri",
    "Les Charmilles",
    "La Roseraie",
    "Les Hortensias",
    "Le Val Doré",
    "Les Peupliers",
    "La Source",
    "Les Érables",
    "Le Jardin d'Automne",
    "Les Magnolias",
    "Les Lilas",
    "Le Bois Joli",
    "Les Mimosas",
    "La Chênaie",
)
SERVICE_PREFIXES = ("UDAF", "ATMP", "Association tutélaire", "Mutualité tutélaire")

# Fictitious number blocks reserved by ARCEP for films and books, by région.
PHONE_PREFIX = {
    "11": "01 99 00",
    "24": "02 61 91",
    "28": "02 61 91",
    "52": "02 61 91",
    "53": "02 61 91",
    "27": "03 53 01",
    "32": "03 53 01",
    "44": "03 53 01",
    "84": "04 65 71",
    "93": "04 65 71",
    "94": "04 65 71",
    "75": "05 36 49",
    "76": "05 36 49",
}

PLURAL_DEPARTEMENTS = frozenset(
    {
        "Alpes-de-Haute-Provence",
        "Alpes-Maritimes",
        "Ardennes",
        "Bouches-du-Rhône",
        "Côtes-d'Armor",
        "Deux-Sèvres",
        "Landes",
        "Pyrénées-Atlantiques",
        "Pyrénées-Orientales",
        "Vosges",
        "Yvelines",
    }
)
FEMININE_DEPARTEMENTS = frozenset(
    {
        "Charente",
        "Charente-Maritime",
        "Corrèze",
        "Corse-du-Sud",
        "Côte-d'Or",
        "Creuse",
        "Dordogne",
        "Drôme",
        "Gironde",
        "Loire",
        "Loire-Atlantique",
        "Lozère",
        "Manche",
        "Marne",
        "Mayenne",
        "Meurthe-et-Moselle",
        "Meuse",
        "Moselle",
        "Nièvre",
        "Saône-et-Loire",
        "Sarthe",
        "Savoie",
        "Seine-Maritime",
        "Seine-et-Marne",
        "Seine-Saint-Denis",
        "Somme",
        "Vendée",
        "Vienne",
        "Guadeloupe",
        "Martinique",
        "Guyane",
    }
)
BARE_DEPARTEMENTS = frozenset({"Paris", "Mayotte", "La Réunion"})
VOWELS = frozenset("AEIOUYÉÈÊÎÔaeiouyéèêîô")


def of_departement(nom: str) -> str:
    """'du Nord', "de l'Aisne", 'de la Somme', 'des Ardennes', 'de Paris'."""
    if nom in BARE_DEPARTEMENTS:
        return f"de {nom}"
    if nom in PLURAL_DEPARTEMENTS or nom.startswith(("Hautes-", "Hauts-")):
        return f"des {nom}"
    if nom[0] in VOWELS or nom.startswith("Hérault"):
        return f"de l'{nom}"
    if nom in FEMININE_DEPARTEMENTS or nom.startswith("Haute-"):
        return f"de la {nom}"
    return f"du {nom}"


def of_commune(nom: str) -> str:
    """'de Lille', "d'Arras", 'du Cateau-Cambrésis', 'des Moëres', 'de la Bassée'."""
    for article, contracted in (("Le ", "du "), ("Les ", "des "), ("La ", "de la "), ("L'", "de l'")):
        if nom.startswith(article):
            return contracted + nom[len(article) :]
    return f"d'{nom}" if nom[0] in VOWELS else f"de {nom}"


# Why no relative was designated (art. 449 code civil), for the reservations.
FAMILY_REFUSALS = (
    "Le seul proche, éloigné géographiquement, a décliné la charge.",
    "La famille a refusé la mesure en raison d'un conflit ancien.",
    "Le conjoint, lui-même âgé et malade, ne peut pas assumer la mesure.",
)

# Why a professional refused a reservation.
RESERVATION_REFUSALS = (
    "Capacité atteinte : aucune place libre avant plusieurs mois.",
    "La personne réside hors de mon secteur d'intervention habituel.",
    "Conflit d'intérêts : je suis déjà mandataire d'un membre de la famille.",
    "Absence prolongée prévue dans les prochaines semaines.",
    "La situation demande une compétence que je n'ai pas (gestion patrimoniale complexe).",
    "Le service réorganise ses antennes et ne prend pas de nouvelle mesure ce mois-ci.",
)
