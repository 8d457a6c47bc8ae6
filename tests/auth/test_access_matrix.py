"""Every route against every role, on resources inside and outside the caller's scope: 401, 403, 404 or success.

Targets: professional A (Nord, Lille), its measure at the Lille tribunal and an establishment in Nord are inside
the scope of the Hauts-de-France agents, the Lille judges and professional A; professional B (Bouches-du-Rhône),
its Marseille measure and an establishment in Marseille are outside it.

The targets and the callers' tokens are built once for the module; each case runs in a savepoint that is rolled back
after it (see `connection`), so a case that deletes or changes a target leaves it intact for the next one. The cases
share one client, emptied before each as a new one would start (`cases_client`, `tests.support.as_new`).
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from app.auth.constants import Role
from app.auth.models import Account
from app.auth.principal import Principal
from app.config import Settings
from app.dashboards.tables import TABLES
from app.database import utcnow
from app.designation.schemas import ReservationCreate
from app.designation.service import reserve
from app.geo.locate import GazetteerLocator
from app.main import create_app
from app.matching.schemas import MatchRequest
from app.matching.service import IndexCache, run_match
from app.registry import service
from app.registry.schemas import AbsenceIn, EtablissementIn, MandataireCreate, MesureCreate
from app.targets.models import Objectif
from app.tokens.service import issue_token
from app.transfer.schemas import ChoixIn, TransfertCreate
from app.transfer.service import choose, create_plan
from app.vendors.models import EditeurJeton
from app.vendors.schemas import EditeurCreate
from app.vendors.service import create_editeur
from tests.registry.factories import mandataire_body, mesure_body
from tests.support import as_new
from tests.vendors.flow import REDIRECT_URI

LILLE, MARSEILLE = "17590111500709", "TGIMARSEIL"
ADMIN = Principal(token_id=None, role=Role.ADMIN, departements=None)
SETTINGS = Settings(environment="test")

# caller -> (role, scope); "inside" targets are in every caller's scope, "outside" ones only in the national ones'.
CALLERS = {
    "anonyme": None,
    "admin": ("admin", {}),
    "agent_national": ("agent", {}),
    "agent_region": ("agent", {"region": "32"}),
    "agent_departement": ("agent", {"departement": "59"}),
    "magistrat": ("magistrat", {"tribunal": LILLE}),
    "greffier": ("greffier", {"tribunal": LILLE}),
    "mandataire": ("mandataire", {"mandataire_id": "A"}),
}
NATIONAL = {"admin", "agent_national"}


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # placeholders filled from the target's ids
    roles: frozenset[str]
    ok: int
    outside: int = 404  # answer for a resource outside the caller's scope
    body: str | None = None  # name of a body builder below
    params: str | None = None  # name of a query builder below
    upload: str | None = None  # name of a multipart builder below (UPLOADS)


ALL = frozenset(r.value for r in Role)
MANAGERS = frozenset({"admin", "agent"})
MANAGERS_AND_SELF = frozenset({"admin", "agent", "mandataire"})
WRITERS = frozenset({"admin", "mandataire"})
JUDGES = frozenset({"admin", "magistrat", "greffier"})
READERS = frozenset({"admin", "agent", "magistrat", "greffier"})
ADMIN_ONLY = frozenset({"admin"})
PARTIES = frozenset({"admin", "magistrat", "greffier", "mandataire"})
SELF_ONLY = frozenset({"mandataire"})
SELF_AND_ADMIN = frozenset({"admin", "mandataire"})
DASHBOARDS = tuple(TABLES)  # every declared table has the same three routes and the same access rule
# Open to anyone: reference data, liveness, readiness and the metrics (METRICS_TOKEN: tests/system).
# The vendors' token and revocation endpoints authenticate the vendor itself (tests/vendors).
# e-MJPM's vendor API answers a vendor's OAuth2 access token only, never a person's token (tests/editors: every case
# through the real flow, and a professional's own token refused).
PUBLIC_PREFIXES = (
    "/healthz",
    "/readyz",
    "/metrics",
    "/referentiel/",
    "/api/oauth/token",
    "/api/oauth/revoke",
    "/api/editors/",
)

ROUTES = [
    Route("GET", "/mandataires", ALL, 200, outside=200),
    Route("POST", "/mandataires", MANAGERS, 201, outside=403, body="new_mandataire"),
    Route("GET", "/mandataires/{mandataire}", ALL, 200),
    Route("PATCH", "/mandataires/{mandataire}", MANAGERS_AND_SELF, 200, body="capacity"),
    Route("POST", "/mandataires/{mandataire}/sites", MANAGERS_AND_SELF, 201, body="site"),
    Route("PATCH", "/mandataires/{mandataire}/sites/{site}", MANAGERS_AND_SELF, 200, body="site_capacity"),
    Route("DELETE", "/mandataires/{mandataire}/sites/{site}", MANAGERS_AND_SELF, 204),
    Route("POST", "/mandataires/{mandataire}/absences", MANAGERS_AND_SELF, 201, body="absence"),
    Route("DELETE", "/mandataires/{mandataire}/absences/{absence}", MANAGERS_AND_SELF, 204),
    Route("GET", "/etablissements", ALL, 200, outside=200),
    Route("POST", "/etablissements", MANAGERS, 201, outside=403, body="new_etablissement"),
    Route("GET", "/etablissements/{etablissement}", ALL, 200, outside=200),
    Route("PATCH", "/etablissements/{etablissement}", MANAGERS, 200, outside=403, body="places"),
    Route("GET", "/mesures", ALL, 200, outside=200),
    Route("POST", "/mesures", WRITERS, 201, outside=403, body="new_mesure"),
    Route("GET", "/mesures/{mesure}", ALL, 200),
    Route("GET", "/mesures.csv", ALL, 200, outside=200),
    Route("GET", "/mesures.xlsx", ALL, 200, outside=200),
    Route("PATCH", "/mesures/{mesure}", WRITERS, 200, body="mesure_nature"),
    Route("DELETE", "/mesures/{mesure}", WRITERS, 204),
    Route("POST", "/match", JUDGES, 200, outside=403, body="match"),
    Route("POST", "/match/explain", JUDGES, 200, outside=403, body="explain"),
    Route("POST", "/match/{match_id}/exclusions", JUDGES, 200, body="exclusion"),
    Route("GET", "/match/poids/{departement}", READERS, 200, outside=200),
    Route("PUT", "/match/poids/{departement}", ADMIN_ONLY, 200, outside=200, body="weights"),
    Route("POST", "/reservations", JUDGES, 201, body="reservation"),
    Route("GET", "/reservations/{reservation}", PARTIES, 200),
    Route("POST", "/reservations/{reservation}/acceptation", SELF_ONLY, 200, body="acceptation"),
    Route("POST", "/reservations/{reservation}/refus", SELF_ONLY, 200, body="refus"),
    Route("DELETE", "/reservations/{reservation}", JUDGES, 200),
    Route("GET", "/tribunaux/{tribunal}/reservations", JUDGES, 200, outside=403),
    Route("GET", "/tribunaux/{tribunal}/statistiques", JUDGES, 200, outside=403),
    Route("GET", "/tribunaux/{tribunal}/demandes", JUDGES, 200, outside=403),
    Route("GET", "/mandataires/{mandataire}/reservations", SELF_AND_ADMIN, 200),
    Route("GET", "/mandataires/{mandataire}/comptes", SELF_AND_ADMIN, 200),
    Route("GET", "/audit/matches/{match_id}", JUDGES, 200),
    Route("GET", "/mandataires/moi", SELF_ONLY, 200, outside=200),
    Route("GET", "/mandataires/{mandataire}/carte", MANAGERS_AND_SELF, 200),
    Route("GET", "/mandataires/{mandataire}/etp", MANAGERS_AND_SELF, 200),
    Route("PUT", "/mandataires/{mandataire}/etp/{annee}", MANAGERS_AND_SELF, 200, body="etp"),
    Route("PATCH", "/mandataires/{mandataire}/disponibilite", SELF_AND_ADMIN, 200, body="disponibilite"),
    Route("POST", "/mesures/lot", SELF_AND_ADMIN, 200, outside=403, body="lot", params="owner"),
    Route("POST", "/mesures/import", SELF_AND_ADMIN, 200, outside=403, params="owner", upload="sheet"),
    Route("POST", "/finess/import", ADMIN_ONLY, 200, outside=200, upload="finess"),
    Route("POST", "/schema/objectifs", MANAGERS, 201, outside=403, body="objectif"),
    Route("GET", "/schema/objectifs", MANAGERS, 200, outside=403, params="territory"),
    Route("GET", "/schema/objectifs/{objectif}", MANAGERS, 200),
    Route("DELETE", "/schema/objectifs/{objectif}", MANAGERS, 204),
    Route("PUT", "/mesures/{mesure}", WRITERS, 200, body="replace"),
    Route("POST", "/transferts", MANAGERS, 201, outside=422, body="transfert"),
    Route("GET", "/transferts", READERS, 200, outside=200),
    Route("GET", "/transferts/{transfert}", READERS, 200),
    Route("GET", "/transferts/{transfert}.csv", READERS, 200),
    Route("GET", "/transferts/{transfert}.xlsx", READERS, 200),
    Route("GET", "/transferts/{transfert}/mesures/{mesure}/candidats", JUDGES, 200),
    Route("PUT", "/transferts/{transfert}/mesures/{mesure}/choix", JUDGES, 200, body="choix"),
    Route("POST", "/transferts/{transfert}/confirmation", JUDGES, 200, body="confirmation"),
    Route("POST", "/transferts/{transfert}/cloture", MANAGERS, 200),
    Route("GET", "/tableaux-de-bord/index.json", MANAGERS, 200, outside=200),
    Route("GET", "/tableaux-de-bord/etat-des-lieux.xlsx", MANAGERS, 200, outside=403, params="territory"),
    Route("POST", "/planification/simulations", MANAGERS, 200, outside=403, body="simulation", params="territory"),
    Route("POST", "/planification/implantations", MANAGERS, 200, outside=403, body="implantations", params="territory"),
    Route(
        "POST",
        "/planification/scenarios/comparaison",
        MANAGERS,
        200,
        outside=403,
        body="comparaison",
        params="territory",
    ),
    Route("GET", "/editeurs", ADMIN_ONLY, 200, outside=200),
    Route("POST", "/editeurs", ADMIN_ONLY, 201, outside=201, body="new_editeur"),
    Route("GET", "/editeurs/{editeur}", ADMIN_ONLY, 200),
    Route("PATCH", "/editeurs/{editeur}", ADMIN_ONLY, 200, body="editeur_nom"),
    Route("POST", "/editeurs/{editeur}/secret", ADMIN_ONLY, 200),
    Route("GET", "/editeurs/{editeur}/appels", ADMIN_ONLY, 200),
    # A professional approves any vendor (its own record is the resource); it revokes the vendors it approved.
    Route("POST", "/api/oauth/authorize", SELF_ONLY, 302, outside=302, body="autorisation"),
    Route("GET", "/autorisations-editeurs", SELF_ONLY, 200, outside=200),
    Route("DELETE", "/autorisations-editeurs/{editeur}", SELF_ONLY, 204),
    Route("GET", "/comptes", MANAGERS, 200, outside=200),
    Route("POST", "/comptes", MANAGERS, 201, outside=403, body="new_compte"),
    Route("GET", "/comptes/{compte}", MANAGERS, 200),
    Route("PATCH", "/comptes/{compte}", MANAGERS, 200, body="compte_nom"),
    Route("POST", "/comptes/{compte}/desactivation", MANAGERS, 200),
    Route("POST", "/comptes/{compte_desactive}/reactivation", MANAGERS, 200),
    Route("POST", "/comptes/{compte}/invitation", MANAGERS, 200),
    Route("GET", "/jetons", ADMIN_ONLY, 200, outside=200),
    Route("DELETE", "/jetons/{jeton}", ADMIN_ONLY, 204),
    # A personal token is made by a person signed in to a web session, never with a token (tests/accounts).
    Route("POST", "/jetons", frozenset(), 201, outside=403, body="jeton"),
    *(
        Route("GET", f"/tableaux-de-bord/{table}{extension}", MANAGERS, 200, outside=403, params="territory")
        for table in DASHBOARDS
        for extension in ("", ".csv", ".xlsx")
    ),
]


def build_target(session, gazetteer, departement: str, insee: str, tribunal: str, finess: str) -> dict:
    mandataire = service.create_mandataire(
        session,
        principal=ADMIN,
        gazetteer=gazetteer,
        payload=MandataireCreate(
            **mandataire_body(
                departements=[departement], sites=[{"nom": "Bureau", "insee": insee}, {"nom": "Annexe", "insee": insee}]
            )
        ),
    )
    absence = service.add_absence(
        session, mandataire=mandataire, payload=AbsenceIn(debut=date(2030, 1, 1), fin=date(2030, 1, 31), motif="conges")
    )
    mesure = service.create_mesure(
        session,
        principal=ADMIN,
        gazetteer=gazetteer,
        locator=GazetteerLocator(gazetteer),
        settings=SETTINGS,
        payload=MesureCreate(
            **mesure_body(
                tribunal=tribunal, mandataire=mandataire.id, residence={"insee": insee}, site=mandataire.sites[0].id
            )
        ),
    )
    match = run_match(
        session,
        cache=IndexCache(),
        settings=SETTINGS,
        principal=ADMIN,
        gazetteer=gazetteer,
        locator=GazetteerLocator(gazetteer),
        payload=MatchRequest(**match_body(tribunal, insee)),
    )
    reservation = reserve(
        session,
        principal=ADMIN,
        cache=IndexCache(),
        settings=SETTINGS,
        gazetteer=gazetteer,
        idempotency_key=None,
        payload=ReservationCreate(
            match_id=match["match_id"],
            mandataire=mandataire.id,
            numero_rg="25/77777",
            famille={"statut": "non_examine"},
            hors_liste=True,
            justification="Choix du juge pour le test d'accès",
        ),
    )
    etablissement = service.create_etablissement(
        session,
        principal=ADMIN,
        gazetteer=gazetteer,
        payload=EtablissementIn(
            finess=finess, nom="EHPAD Les Tilleuls", insee=insee, categorie="ehpad", public=True, places_permanentes=90
        ),
    )
    # A transfer plan for the measure, its proposal kept by the judge, and a second measure free for a new plan.
    relais = service.create_mandataire(
        session,
        principal=ADMIN,
        gazetteer=gazetteer,
        payload=MandataireCreate(**mandataire_body(departements=[departement], sites=[{"nom": "B", "insee": insee}])),
    )
    libre = service.create_mesure(
        session,
        principal=ADMIN,
        gazetteer=gazetteer,
        locator=GazetteerLocator(gazetteer),
        settings=SETTINGS,
        payload=MesureCreate(**mesure_body(tribunal=tribunal, mandataire=mandataire.id, residence={"insee": insee})),
    )
    transfert = create_plan(
        session,
        principal=ADMIN,
        cache=IndexCache(),
        settings=SETTINGS,
        gazetteer=gazetteer,
        payload=TransfertCreate(mandataire=mandataire.id, mesures=[mesure.id], motif="retraite"),
    )
    choose(
        session,
        principal=ADMIN,
        cache=IndexCache(),
        gazetteer=gazetteer,
        transfert_id=transfert.id,
        mesure_id=mesure.id,
        payload=ChoixIn(mandataire=relais.id),
    )
    # A vendor approved by the professional (a valid token of the pair).
    editeur, _ = create_editeur(
        session, secret_key="x", payload=EditeurCreate(nom=f"Logiciel {departement}", redirect_uris=[REDIRECT_URI])
    )
    session.add(
        EditeurJeton(
            access_hash=f"{departement:0>64}",
            editeur_id=editeur.id,
            mandataire_id=mandataire.id,
            expires_at=utcnow() + timedelta(days=1),
        )
    )
    # People's accounts for the professional: one invited, one disabled; and a token to revoke.
    accounts = [
        Account(
            email=f"{etat}-{departement}@test.invalid",
            nom="Compte",
            prenom="Test",
            role="mandataire",
            mandataire_id=mandataire.id,
            siret=mandataire.siret,
            etat=etat,
        )
        for etat in ("invite", "desactive")
    ]
    session.add_all(accounts)
    _, jeton = issue_token(
        session, secret=SETTINGS.token_secret.get_secret_value(), gazetteer=gazetteer, role=Role.ADMIN, nom="cible"
    )
    # A target of the regional schéma.
    objectif = Objectif(
        departement=departement,
        indicateur="mandataires_individuels",
        cible=50,
        echeance=date(2030, 12, 31),
        date_initiale=date(2025, 1, 1),
        valeur_initiale=40,
    )
    session.add(objectif)
    session.commit()
    return {
        "objectif": objectif.id,
        "annee": 2025,
        "editeur": editeur.id,
        "editeur_version": editeur.version,
        "compte": accounts[0].id,
        "compte_desactive": accounts[1].id,
        "jeton": jeton.id,
        "transfert": transfert.id,
        "relais": relais.id,
        "mesure_libre": libre.id,
        "mandataire": mandataire.id,
        "site": mandataire.sites[1].id,
        "absence": absence.id,
        "mesure": mesure.id,
        "etablissement": etablissement.id,
        "departement": departement,
        "insee": insee,
        "tribunal": tribunal,
        "code_postal": gazetteer.communes[insee].codes_postaux[0],
        "match_id": match["match_id"],
        "reservation": reservation.id,
        "mandataire_version": mandataire.version,
        "mesure_version": mesure.version,
        "etablissement_version": etablissement.version,
    }


def match_body(tribunal: str, insee: str) -> dict:
    return {"tribunal": tribunal, "nature": "tutelle", "residence": {"insee": insee}, "lieu_vie": "domicile"}


BODIES = {
    "etp": lambda t: {"etp": 3.5},
    "match": lambda t: match_body(t["tribunal"], t["insee"]),
    "explain": lambda t: {**match_body(t["tribunal"], t["insee"]), "mandataire": t["mandataire"]},
    "exclusion": lambda t: {"mandataire": t["mandataire"], "motif": "Conflit d'intérêts"},
    "weights": lambda t: {"distance": 0.5, "capacite": 0.2, "profil": 0.1, "fraicheur": 0.1, "equite": 0.1},
    "reservation": lambda t: {
        "match_id": t["match_id"],
        "mandataire": t["mandataire"],
        "numero_rg": "25/88888",
        "famille": {"statut": "non_examine"},
        "hors_liste": True,
        "justification": "Choix du juge pour le test d'accès",
    },
    "acceptation": lambda t: {"date_nomination": "2026-11-20"},
    "disponibilite": lambda t: {"version": t["mandataire_version"], "capacite": 41},
    "lot": lambda t: {
        "mesures": [
            {
                "numero_rg": "26/00001",
                "tribunal_siret": t["tribunal"],
                "nature_mesure": "tutelle",
                "lieu_vie": "domicile",
                "code_postal": t["code_postal"],
            }
        ]
    },
    "replace": lambda t: {
        **mesure_body(tribunal=t["tribunal"], mandataire=t["mandataire"], residence={"insee": t["insee"]}),
        "version": t["mesure_version"],
    },
    "refus": lambda t: {"motif": "Refus pour le test d'accès"},
    "new_mandataire": lambda t: mandataire_body(
        departements=[t["departement"]], sites=[{"nom": "Bureau", "insee": t["insee"]}]
    ),
    "capacity": lambda t: {"version": t["mandataire_version"], "capacite": 45},
    "site": lambda t: {"nom": "Permanence", "insee": t["insee"]},
    "site_capacity": lambda t: {"capacite": 12},
    "absence": lambda t: {"debut": "2031-03-01", "fin": "2031-03-15", "motif": "formation"},
    "new_etablissement": lambda t: {
        "finess": t["departement"] + "0999999",
        "nom": "Foyer",
        "insee": t["insee"],
        "categorie": "autre",
        "public": False,
        "places_permanentes": 30,
    },
    "places": lambda t: {"version": t["etablissement_version"], "places_permanentes": 95},
    "new_mesure": lambda t: mesure_body(
        tribunal=t["tribunal"], mandataire=t["mandataire"], residence={"insee": t["insee"]}
    ),
    "mesure_nature": lambda t: {"version": t["mesure_version"], "nature": "tutelle"},
    "transfert": lambda t: {"mandataire": t["mandataire"], "mesures": [t["mesure_libre"]], "motif": "retraite"},
    "choix": lambda t: {"mandataire": t["relais"]},
    "confirmation": lambda t: {"mesures": [t["mesure"]]},
    "new_editeur": lambda t: {"nom": "Nouveau logiciel", "redirect_uris": ["https://logiciel.example/retour"]},
    "editeur_nom": lambda t: {"version": t["editeur_version"], "nom": "Logiciel renommé"},
    "autorisation": lambda t: {
        "response_type": "code",
        "client_id": str(t["editeur"]),
        "redirect_uri": REDIRECT_URI,
        "state": "matrice",
    },
    "new_compte": lambda t: {
        "email": "nouveau@test.invalid",
        "nom": "Nouveau",
        "prenom": "Compte",
        "role": "mandataire",
        "mandataire": t["mandataire"],
    },
    "compte_nom": lambda t: {"nom": "Durand"},
    "jeton": lambda t: {"nom": "Logiciel"},
    "simulation": lambda t: {"arrivees": 5, "strategies": ["frontiere"]},
    "implantations": lambda t: {"nombre": 1, "simulation": {"arrivees": 5}},
    "comparaison": lambda t: {"simulation": {"arrivees": 5}, "scenario": {"croissance": 0.1}},
    "objectif": lambda t: {
        "departement": t["departement"],
        "indicateur": "mesures_en_cours",
        "cible": 500,
        "echeance": "2031-12-31",
    },
}


@pytest.fixture(scope="module")
def targets(module_session, gazetteer):
    return {
        "inside": build_target(module_session, gazetteer, "59", "59350", LILLE, "590000001"),
        "outside": build_target(module_session, gazetteer, "13", "13055", MARSEILLE, "130000001"),
    }


@pytest.fixture(scope="module")
def tokens(module_session, gazetteer, targets):
    """The Authorization header of every caller but the anonymous one."""
    headers = {}
    for caller, (role, scope) in ((c, s) for c, s in CALLERS.items() if s is not None):
        scope = {k: targets["inside"]["mandataire"] if v == "A" else v for k, v in scope.items()}
        secret = SETTINGS.token_secret.get_secret_value()
        token = issue_token(module_session, secret=secret, gazetteer=gazetteer, role=Role(role), **scope)[0]
        headers[caller] = {"Authorization": f"Bearer {token}"}
    module_session.commit()
    return headers


@pytest.fixture
def connection(targets, tokens, savepoint_connection):
    """The module's targets and tokens, then this case's savepoint over them."""
    return savepoint_connection


@pytest.fixture(scope="module")
def cases_client(module_client, targets, tokens):
    """One client for the module's cases, its app started once: a case is one request, and the start and stop of
    an app (its engine, caches and worker thread) cost more. Its requests run in the module's transaction, each
    case in its own savepoint (`connection`)."""
    with module_client() as client:
        yield client


@pytest.fixture
def client(cases_client, connection):
    return as_new(cases_client)


QUERIES = {
    "owner": lambda t: {"mandataire": t["mandataire"]},
    "territory": lambda t: {"departement": t["departement"]},
}
SHEET_HEADER = (
    "date_nomination;type;code_postal;ville;civilite;annee;numero_rg;numero_dossier;residence;tribunal_siret;antenne"
)


def sheet(target: dict) -> dict:
    row = f"15/01/2025;Tutelle;{target['code_postal']};;F;1950;26/00002;;Domicile;{target['tribunal']};"
    return {"fichier": ("mesures.csv", f"{SHEET_HEADER}\n{row}\n".encode(), "text/csv")}


def finess_extract(_target: dict) -> dict:
    content = b"finess;etalab;95;2026-11-02\n"  # an empty extract: nothing to import
    return {"etablissements": ("etalab-cs1100507-stock.csv", content, "text/csv")}


UPLOADS = {"sheet": sheet, "finess": finess_extract}


def expected_status(route: Route, caller: str, where: str) -> int:
    if CALLERS[caller] is None:
        return 401
    role = CALLERS[caller][0]
    if role not in route.roles:
        return 403
    return route.ok if where == "inside" or caller in NATIONAL else route.outside


@pytest.mark.parametrize("where", ["inside", "outside"])
@pytest.mark.parametrize("caller", list(CALLERS))
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_access(client, tokens, targets, route, caller, where):
    target = targets[where]
    headers = tokens.get(caller, {})
    body = BODIES[route.body](target) if route.body else None
    if route.body == "new_mesure" and caller == "mandataire" and where == "inside":
        body.pop("mandataire")  # a professional declares for itself by default
    response = client.request(
        route.method,
        route.path.format(**target),
        json=body,
        headers=headers,
        params=QUERIES[route.params](target) if route.params else None,
        files=UPLOADS[route.upload](target) if route.upload else None,
        follow_redirects=False,  # the approval of a vendor redirects to the vendor
    )
    expected = expected_status(route, caller, where)
    assert response.status_code == expected, response.text
    if expected == 401:
        assert response.json()["detail"][0]["type"] == "non_authentifie"
    elif CALLERS[caller][0] not in route.roles:
        assert response.json()["detail"][0]["type"] == "acces_refuse"


@pytest.mark.parametrize("caller", [c for c in CALLERS if c != "anonyme"])
def test_lists_never_show_what_is_outside_the_scope(client, tokens, targets, caller):
    headers = tokens[caller]
    for path, key in (("/mandataires", "mandataire"), ("/mesures", "mesure")):
        ids = {item["id"] for item in client.get(path, headers=headers, params={"limit": 200}).json()["items"]}
        assert targets["inside"][key] in ids
        assert (targets["outside"][key] in ids) == (caller in NATIONAL)
        searched = client.get(
            path, headers=headers, params={"q": "Testeur"} if key == "mandataire" else {"numero_rg": "x"}
        ).json()
        assert all(item["id"] != targets["outside"][key] or caller in NATIONAL for item in searched["items"])


def test_unknown_and_revoked_tokens_are_401(client):
    response = client.get("/mandataires", headers={"Authorization": "Bearer mjpm_not-a-token"})
    assert response.status_code == 401
    assert response.json()["detail"][0]["type"] == "non_authentifie"


def test_the_matrix_covers_every_route():
    """A new route must be added to ROUTES (or be public on purpose): nothing escapes access control review."""

    def shape(path: str) -> str:
        return re.sub(r"\{[a-z_]+\}", "{}", path)

    covered = {(route.method, shape(route.path)) for route in ROUTES}
    paths = create_app(SETTINGS).openapi()["paths"]
    api_routes = {(method.upper(), shape(path)) for path, operations in paths.items() for method in operations}
    assert len(api_routes) > 30
    missing = {route for route in api_routes if not route[1].startswith(PUBLIC_PREFIXES)} - covered
    assert not missing, sorted(missing)
