"""Establishments (EHPAD, hospitals, homes): the préposés' own and others of each département."""

from app.demo.draft import Draft, SeedEtablissement
from app.demo.draws import Picker
from app.demo.names import RESIDENCE_NAMES, of_commune
from app.demo.tunables import ETABLISSEMENT_MIX, HOSPITALS
from app.geo.gazetteer import Commune, normalize_name
from app.registry.constants import CategorieEtablissement


def new_finess(draft: Draft, departement: str) -> str:
    digits = 9 - len(departement)
    while True:
        finess = departement + f"{draft.rng.randrange(10**digits):0{digits}d}"
        if finess not in draft.used_finess:
            draft.used_finess.add(finess)
            return finess


def new_etablissement(
    draft: Draft, departement: str, categorie: str, public: bool, places: int, commune: Commune
) -> SeedEtablissement:
    rng = draft.rng
    residence = rng.choice(RESIDENCE_NAMES)
    nom = {
        CategorieEtablissement.EHPAD: f"EHPAD {residence}",
        CategorieEtablissement.HOPITAL: f"Centre hospitalier {of_commune(commune.nom)}",
        CategorieEtablissement.HOPITAL_PSYCHIATRIQUE: f"EPSM {of_commune(commune.nom)}",
        CategorieEtablissement.FOYER_ACCUEIL_MEDICALISE: f"Foyer d'accueil médicalisé {residence}",
        CategorieEtablissement.MAISON_ACCUEIL_SPECIALISEE: f"Maison d'accueil spécialisée {residence}",
        CategorieEtablissement.USLD: f"Unité de soins de longue durée {of_commune(commune.nom)}",
        CategorieEtablissement.AUTRE: f"Résidence autonomie {residence}",
    }[CategorieEtablissement(categorie)]
    if categorie not in HOSPITALS:
        nom = f"{nom} ({commune.nom})"
    etablissement = SeedEtablissement(
        id=draft.etablissement_offset + len(draft.etablissements) + 1,
        finess=new_finess(draft, departement),
        nom=nom,
        commune=commune,
        categorie=categorie,
        public=public,
        places=places,
        created_days_ago=rng.randint(30, 2_500),
    )
    draft.etablissements.append(etablissement)
    draft.etablissements_by_departement.setdefault(departement, []).append(etablissement)
    return etablissement


def extra_etablissements(draft: Draft, departement: str, count: int) -> None:
    """Establishments besides the préposés' own, by category (hospitals in towns)."""
    data = draft.geography.departements[departement]
    categories = Picker.of({c: mix[0] for c, mix in ETABLISSEMENT_MIX.items()})
    for _ in range(count):
        categorie = categories.pick(draft.rng)
        _, public_share, low, high = ETABLISSEMENT_MIX[categorie]
        new_etablissement(
            draft,
            departement,
            categorie,
            draft.rng.random() < public_share,
            draft.rng.randint(low, high),
            (data.towns if categorie in HOSPITALS else data.picker).pick(draft.rng),
        )


def etablissement_rows(draft: Draft) -> list[dict]:
    return [
        {
            "id": e.id,
            "finess": e.finess,
            "nom": e.nom,
            "nom_recherche": normalize_name(e.nom),
            "insee": e.commune.insee,
            "departement": e.commune.departement,
            "lat": e.commune.lat,
            "lon": e.commune.lon,
            "categorie": str(e.categorie),
            "public": e.public,
            "places_permanentes": e.places,
            "created_at": draft.stamp(e.created_days_ago),
            "version": 1,
        }
        for e in draft.etablissements
    ]
