"""Controlled vocabularies of the registry (API values, in French, as the legal texts name them)."""

from enum import StrEnum


class MandataireType(StrEnum):
    SERVICE = "service"
    INDIVIDUEL = "individuel"
    PREPOSE = "prepose"


# The French label of each code, the one place pages, dashboards and e-mails take it from.
MANDATAIRE_TYPE_LABELS = {
    MandataireType.SERVICE: "Service mandataire",
    MandataireType.INDIVIDUEL: "Mandataire individuel",
    MandataireType.PREPOSE: "Préposé d'établissement",
}


class MandataireStatut(StrEnum):
    ACTIF = "actif"
    SUSPENDU = "suspendu"
    RETIRE = "retire"
    CESSATION = "cessation"


class Nature(StrEnum):
    SAUVEGARDE_JUSTICE = "sauvegarde_justice"
    CURATELLE_SIMPLE = "curatelle_simple"
    CURATELLE_RENFORCEE = "curatelle_renforcee"
    TUTELLE = "tutelle"
    MESURE_ACCOMPAGNEMENT_JUDICIAIRE = "mesure_accompagnement_judiciaire"
    MJAGBF = "mjagbf"
    SUBROGE_CURATEUR = "subroge_curateur"
    SUBROGE_TUTEUR = "subroge_tuteur"
    MANDAT_AD_HOC = "mandat_ad_hoc"
    MANDAT_PROTECTION_FUTURE = "mandat_protection_future"


NATURE_LABELS = {
    Nature.SAUVEGARDE_JUSTICE: "Sauvegarde de justice",
    Nature.CURATELLE_SIMPLE: "Curatelle simple",
    Nature.CURATELLE_RENFORCEE: "Curatelle renforcée",
    Nature.TUTELLE: "Tutelle",
    Nature.MESURE_ACCOMPAGNEMENT_JUDICIAIRE: "Mesure d'accompagnement judiciaire (MAJ)",
    Nature.MJAGBF: "Mesure judiciaire d'aide à la gestion du budget familial (MJAGBF)",
    Nature.SUBROGE_CURATEUR: "Subrogé curateur",
    Nature.SUBROGE_TUTEUR: "Subrogé tuteur",
    Nature.MANDAT_AD_HOC: "Mandat ad hoc",
    Nature.MANDAT_PROTECTION_FUTURE: "Mandat de protection future",
}


class Champ(StrEnum):
    BIEN = "bien"
    PERSONNE = "personne"
    BIEN_PERSONNE = "bien_personne"


class LieuVie(StrEnum):
    DOMICILE = "domicile"
    ETABLISSEMENT = "etablissement"
    ETABLISSEMENT_CONSERVATION_DOMICILE = "etablissement_conservation_domicile"
    SDF = "sdf"


LIEU_VIE_LABELS = {
    LieuVie.DOMICILE: "Domicile",
    LieuVie.ETABLISSEMENT: "Établissement",
    LieuVie.ETABLISSEMENT_CONSERVATION_DOMICILE: "Établissement avec conservation du domicile",
    LieuVie.SDF: "Sans domicile fixe",
}


class MesureStatut(StrEnum):
    EN_ATTENTE = "en_attente"
    EN_COURS = "en_cours"
    ETEINTE = "eteinte"


MESURE_STATUT_LABELS = {
    MesureStatut.EN_ATTENTE: "En attente (réservée par un juge)",
    MesureStatut.EN_COURS: "En cours",
    MesureStatut.ETEINTE: "Éteinte",
}


# Statuses that hold a place in the professional's capacity.
ACTIVE_STATUTS = frozenset({MesureStatut.EN_COURS, MesureStatut.EN_ATTENTE})


class CauseSortie(StrEnum):
    MAINLEVEE = "mainlevee"
    DECES = "deces"
    CADUCITE = "caducite"
    DESSAISISSEMENT_FAMILLE = "dessaisissement_famille"
    DESSAISISSEMENT_AUTRE_MJPM = "dessaisissement_autre_mjpm"
    TRANSFERT = "transfert"
    AUTRE = "autre"


class ResultatRevision(StrEnum):
    """Outcome of a measure's last review (e-MJPM's `resultat_revision`)."""

    AGGRAVATION = "aggravation"
    ALLEGEMENT = "allegement"
    DESSAISISSEMENT_AUTRE_MJPM = "dessaisissement_autre_mjpm"
    DESSAISISSEMENT_FAMILLE = "dessaisissement_famille"
    MAINLEVEE = "mainlevee"
    RECONDUCTION = "reconduction"


class TypeEtablissement(StrEnum):
    """Kind of establishment the person lives in (e-MJPM's `type_etablissement`)."""

    AUTRE_ETABLISSEMENT = "autre_etablissement"
    AUTRE_ETABLISSEMENT_S_MS = "autre_etablissement_s_ms"
    ETABLISSEMENT_HANDICAPES = "etablissement_handicapes"
    ETABLISSEMENT_HOSPITALIER = "etablissement_hospitalier"
    ETABLISSEMENT_PERSONNE_AGEE = "etablissement_personne_agee"
    ETABLISSEMENT_PSYCHIATRIQUE = "etablissement_psychiatrique"


class Civilite(StrEnum):
    MADAME = "madame"
    MONSIEUR = "monsieur"


class Pays(StrEnum):
    FR = "FR"
    BE = "BE"


class Specialite(StrEnum):
    BELGIQUE = "belgique"
    PSYCHIATRIE = "psychiatrie"
    SITUATIONS_COMPLEXES = "situations_complexes"
    FIN_DE_VIE = "fin_de_vie"
    HANDICAP = "handicap"
    PERSONNES_AGEES = "personnes_agees"
    JEUNES_MAJEURS = "jeunes_majeurs"
    PATRIMOINE_COMPLEXE = "patrimoine_complexe"
    EXPLOITANTS_AGRICOLES = "exploitants_agricoles"
    VISITES_BINOME = "visites_binome"


class MotifAbsence(StrEnum):
    CONGES = "conges"
    MALADIE = "maladie"
    FORMATION = "formation"
    DEPART_RETRAITE = "depart_retraite"
    AUTRE = "autre"


class CategorieEtablissement(StrEnum):
    EHPAD = "ehpad"
    HOPITAL = "hopital"
    HOPITAL_PSYCHIATRIQUE = "hopital_psychiatrique"
    FOYER_ACCUEIL_MEDICALISE = "foyer_accueil_medicalise"
    MAISON_ACCUEIL_SPECIALISEE = "maison_accueil_specialisee"
    USLD = "usld"
    AUTRE = "autre"


CATEGORIE_ETABLISSEMENT_LABELS = {
    CategorieEtablissement.EHPAD: "EHPAD",
    CategorieEtablissement.HOPITAL: "Hôpital",
    CategorieEtablissement.HOPITAL_PSYCHIATRIQUE: "Hôpital psychiatrique",
    CategorieEtablissement.FOYER_ACCUEIL_MEDICALISE: "Foyer d'accueil médicalisé (FAM)",
    CategorieEtablissement.MAISON_ACCUEIL_SPECIALISEE: "Maison d'accueil spécialisée (MAS)",
    CategorieEtablissement.USLD: "Unité de soins de longue durée (USLD)",
    CategorieEtablissement.AUTRE: "Autre établissement",
}


# National MI load bands (domain brief §4: 2012, 1 018 MIs): (lowest load, highest load or None, MIs in the band).
# Bounds are inclusive: "30-50" in the source is 31 to 50.
MI_LOAD_BANDS: tuple[tuple[int, int | None, int], ...] = (
    (1, 30, 555),
    (31, 50, 266),
    (51, 80, 127),
    (81, 100, 28),
    (101, 120, 20),
    (121, 140, 6),
    (141, 160, 4),
    (161, 200, 9),
    (201, None, 3),
)
