"""Small FINESS extracts in the Ministry's published layout (see app/finess/reader.py for the fields)."""

HEADER = "finess;etalab;95;2026-11-02"


def structureet(
    finess: str,
    *,
    ej: str = "590780001",
    rs: str = "EHPAD LES TILLEULS",
    rslongue: str = "",
    commune: str = "350",
    departement: str = "59",
    categetab: str = "500",
    libcategetab: str = "Etablissement d'hébergement pour personnes âgées dépendantes",
    codesph: str = "",
    numuai: bool = True,
) -> str:
    fields = [
        "structureet",
        finess,
        ej,
        rs,
        rslongue,
        "",  # complrs
        "",  # compldistrib
        "12",  # numvoie
        "R",  # typvoie
        "DES TILLEULS",  # voie
        "",  # compvoie
        "",  # lieuditbp
        commune,
        departement,
        "NORD",  # libdepartement
        "59000 LILLE",  # ligneacheminement
        "0320000000",  # telephone
        "",  # telecopie
        categetab,
        libcategetab,
        "4401",  # categagretab
        "Etablissements et services pour personnes âgées",  # libcategagretab
        "26590000100012",  # siret
        "8710A",  # codeape
        "45",  # codemft
        "ARS/PCD Tarif Global",  # libmft
        codesph,
        "",  # libsph
        "1990-01-01",  # dateouv
        "1989-06-01",  # dateautor
        "2026-10-01",  # datemaj
    ]
    if numuai:
        fields.append("")
    return ";".join(fields)


def geolocalisation(finess: str) -> str:
    return f"geolocalisation;{finess};704000.1;7059000.2;1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,LAMBERT_93;2026-10-01"


def equipementsocial(
    finess: str,
    *,
    discipline: str = "924",
    activite: str = "11",
    clientele: str = "711",
    capinstot: str = "90",
    capautot: str = "90",
    indsupinst: str = "N",
    indsupaut: str = "N",
) -> str:
    fields = [
        "equipementsocial",
        finess,
        discipline,
        "Accueil pour Personnes Âgées",
        activite,
        "Hébergement Complet Internat",
        clientele,
        "Personnes Agées dépendantes",
        "S",  # sourceinfo
        capinstot,
        "",
        "",
        "",
        "",
        "",
        indsupinst,
        "2010-01-01",  # datederinst
        "1989-06-01",  # datepremautor
        capautot,
        "",
        "",
        "",
        "",
        "",
        indsupaut,
        "2017-01-03",  # dateautor
        "2020-01-01",  # datemajaut
        "2020-01-01",  # datemajinst
    ]
    return ";".join(fields)


def structureej(finess: str, *, statut: str = "21", libelle: str = "Etab.Social Communal/Intercom.") -> str:
    fields = ["structureej", finess, "CCAS", "", "", "", "", "", "", "", "", "350", "59000 LILLE", "59", "NORD"]
    fields += ["", statut, libelle, "", "", "265900001", "8411Z", "1960-01-01"]
    return ";".join(fields)


def extract(*lines: str, encoding: str = "utf-8") -> bytes:
    return ("\r\n".join([HEADER, *lines]) + "\r\n").encode(encoding)
