"""e-MJPM's vocabularies as its vendor API checks them (`MESURE_PROTECTION` of @emjpm/biz), and the mapping of
its codes to ours where they differ."""

from app.registry.constants import Champ, Nature

CIVILITES = ("madame", "monsieur")
CAUSES_SORTIE = ("caducite", "deces", "dessaisissement_autre_mjpm", "dessaisissement_famille", "mainlevee")
RESULTATS_REVISION = (
    "aggravation",
    "allegement",
    "dessaisissement_autre_mjpm",
    "dessaisissement_famille",
    "mainlevee",
    "reconduction",
)
CHAMPS_MESURE = ("protection_bien", "protection_bien_personne", "protection_personne")
LIEUX_VIE = ("domicile", "etablissement", "etablissement_conservation_domicile", "sdf")
NATURES_MESURE = (
    "curatelle_renforcee",
    "curatelle_simple",
    "mandat_protection_future",
    "mesure_accompagnement_judiciaire",
    "mesure_ad_hoc",
    "sauvegarde_justice",
    "subroge_curateur",
    "subroge_tuteur",
    "tutelle",
)
TYPES_ETABLISSEMENT = (
    "autre_etablissement",
    "autre_etablissement_s_ms",
    "etablissement_handicapes",
    "etablissement_hospitalier",
    "etablissement_personne_agee",
    "etablissement_psychiatrique",
)
# Natures whose champ e-MJPM requires (its rule names curatelle_renforcee twice and tutelle never).
CHAMP_REQUIRED = ("curatelle_simple", "curatelle_renforcee")
STATUSES = ("en_attente", "en_cours", "eteinte")
BATCH_MAX = 1000

# Our codes -> e-MJPM's, for the answers (the rest are the same).
EMJPM_CHAMP = {Champ.BIEN: "protection_bien", Champ.PERSONNE: "protection_personne"}
EMJPM_CHAMP[Champ.BIEN_PERSONNE] = "protection_bien_personne"
EMJPM_NATURE = {Nature.MANDAT_AD_HOC: "mesure_ad_hoc"}
