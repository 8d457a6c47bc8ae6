"""The yearly counters of the measures never drift: after random sequences of writes through the API (creations, edits
of dates, nature, status, cause and professional, deletions, bulk batches, the vendor API moving a measure to
another tribunal and deleting), they equal a recount from the measures, the stock they give at every 31 December
equals the measures counted directly, and the rebuild (what the demo and the migration run) finds the same; so do
their sums over the natures (`MesuresAnnee`), the counters of each service (`MesureServiceAnnuel`) and
the monthly flows of the flux table (measures nominated and ended per month, tribunal and type, any status)."""

import random
from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import select, text

from app.registry.constants import CauseSortie
from app.registry.models import MesureEvenementAnnuel, MesuresAnnee, MesureServiceAnnuel
from app.registry.statistics import rebuild, recount_query, service_recount_query
from tests.registry.factories import mandataire_body, mesure_body
from tests.support import stored_counters

LILLE, ARRAS, PARIS = "17590111500709", "17590111500535", "17750111101763"
TRIBUNAUX = [LILLE, ARRAS, PARIS]
NATURES = ["tutelle", "curatelle_renforcee", "mesure_accompagnement_judiciaire", "mjagbf"]
CAUSES = ["deces", "mainlevee", None]
CAUSES_SORTIE = [cause.value for cause in CauseSortie]
YEARS = range(2015, 2028)


def stored(session) -> Counter:
    rows = session.scalars(select(MesureEvenementAnnuel).where(MesureEvenementAnnuel.nombre != 0))
    return Counter({(r.departement, r.type, r.annee, r.evenement, r.cause, r.nature): r.nombre for r in rows})


def stored_totals(session) -> Counter:
    """(département, type, year, event, cause) → count, from the sums over the natures (a column per event and
    cause; the ends without a cause are the ends less those of every cause)."""
    counts: Counter = Counter()
    for r in session.scalars(select(MesuresAnnee)):
        key = (r.departement, r.type, r.annee)
        counts[(*key, "ouverture", "")] += r.ouvertures
        counts[(*key, "sortie", "")] += r.sorties
        by_cause = {cause: getattr(r, f"eteintes_{cause}") for cause in CAUSES_SORTIE}
        for cause, n in by_cause.items():
            counts[(*key, "fin", cause)] += n
        counts[(*key, "fin", "")] += r.eteintes - sum(by_cause.values())
    return Counter({key: n for key, n in counts.items() if n})  # a negative count stays: it is a bug


def summed_over_natures(counters: Counter) -> Counter:
    summed: Counter = Counter()
    for key, n in counters.items():
        summed[key[:-1]] += n
    return +summed


def stored_services(session) -> Counter:
    """(service, year, département, event) → count, from the services' counters."""
    counts: Counter = Counter()
    for r in session.scalars(select(MesureServiceAnnuel)):
        counts[(r.mandataire_id, r.annee, r.departement, r.nature, "ouverture")] += r.ouvertures
        counts[(r.mandataire_id, r.annee, r.departement, r.nature, "sortie")] += r.sorties
    return +counts


def _day(value) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def measures(session) -> list[tuple]:
    return [row[:7] for row in _measures(session)]


def _measures(session) -> list[tuple]:
    sql = (
        "SELECT t.departement, d.type, m.nature, m.statut, m.date_nomination, m.date_fin_mesure, m.cause_sortie, "
        "m.mandataire_id FROM mesure m JOIN tribunal t ON t.id = m.tribunal_id "
        "JOIN mandataire d ON d.id = m.mandataire_id"
    )
    return [(*row[:4], _day(row[4]), _day(row[5]), *row[6:]) for row in session.execute(text(sql))]


def recount_services(session) -> Counter:
    """The services' openings and exits, counted one measure at a time."""
    counts: Counter = Counter()
    for departement, kind, nature, statut, opened, ended, _, mandataire_id in _measures(session):
        if kind != "service" or opened is None or statut == "en_attente":
            continue
        counts[(mandataire_id, opened.year, departement, nature, "ouverture")] += 1
        if ended is not None or statut == "eteinte":
            left = max(ended.year, opened.year) if ended else opened.year
            counts[(mandataire_id, left, departement, nature, "sortie")] += 1
    return counts


def recount(session) -> Counter:
    """The events of the module's definitions, counted one measure at a time."""
    counts: Counter = Counter()
    for departement, kind, nature, statut, opened, ended, cause in measures(session):
        if opened is None or statut == "en_attente":
            continue
        counts[(departement, kind, opened.year, "ouverture", "", nature)] += 1
        if ended is not None:
            counts[(departement, kind, ended.year, "fin", cause or "", nature)] += 1
            counts[(departement, kind, max(ended.year, opened.year), "sortie", "", nature)] += 1
        elif statut == "eteinte":
            counts[(departement, kind, opened.year, "sortie", "", nature)] += 1
    return counts


MONTHLY = "SELECT mois, tribunal_id, type, ouvertes, eteintes FROM mesures_mois"


def monthly_recount(session) -> dict:
    """Measures nominated and ended per (month, tribunal, type), whatever their status, one measure at a time."""
    counts: dict = {}
    sql = (
        "SELECT m.tribunal_id, d.type, m.date_nomination, m.date_fin_mesure "
        "FROM mesure m JOIN mandataire d ON d.id = m.mandataire_id"
    )
    for tribunal, kind, *days in session.execute(text(sql)):
        for index, day in enumerate(days):
            if day is not None:
                key = (f"{_day(day):%Y-%m}-01", tribunal, kind)
                counts.setdefault(key, [0, 0])[index] += 1
    return {key: tuple(pair) for key, pair in counts.items()}


def check(session) -> None:
    session.expire_all()
    counters = stored(session)
    assert counters == recount(session)
    assert stored_totals(session) == summed_over_natures(counters)
    assert stored_services(session) == recount_services(session)
    assert stored_counters(session, MONTHLY, values=2) == monthly_recount(session), "mesures_mois"
    rows = measures(session)
    # The stock at 31 December from the counters equals the measures in progress that day, counted directly.
    for year in YEARS:
        day = date(year, 12, 31)
        direct = Counter(
            (departement, kind, nature)
            for departement, kind, nature, statut, opened, ended, _ in rows
            if statut != "en_attente"
            and opened is not None
            and opened <= day
            and (ended > day if ended else statut != "eteinte")
        )
        derived: Counter = Counter()
        for (departement, kind, annee, evenement, _, nature), n in counters.items():
            if annee <= year and evenement != "fin":
                derived[(departement, kind, nature)] += n if evenement == "ouverture" else -n
        assert +derived == direct, year


def random_fields(rng: random.Random) -> dict:
    fields: dict = {"nature": rng.choice(NATURES), "statut": rng.choice(["en_cours", "en_cours", "eteinte"])}
    if rng.random() < 0.9:
        opened = date(rng.choice(YEARS), rng.randint(1, 12), rng.randint(1, 28))
        fields["date_nomination"] = opened.isoformat()
        if fields["statut"] == "eteinte" or rng.random() < 0.2:
            fields["date_fin_mesure"] = (opened + timedelta(days=rng.randint(0, 2000))).isoformat()
    if fields["statut"] == "eteinte":
        fields["cause_sortie"] = rng.choice(["deces", "mainlevee", "caducite"])
        if rng.random() < 0.3:
            fields.pop("date_fin_mesure", None)
    return fields


def vendor_mesure(numero_rg: str, tribunal: str, fields: dict) -> dict:
    body = {
        "numero_rg": numero_rg,
        "tribunal_siret": tribunal,
        "nature_mesure": fields["nature"],
        "lieu_vie": "domicile",
        "code_postal": "59000",
        "ville": "LILLE",
        "pays": "FR",
        "civilite": "madame",
        "annee_naissance": 1951,
        "date_nomination": fields.get("date_nomination"),
        "date_fin_mesure": fields.get("date_fin_mesure"),
    }
    if fields["statut"] == "eteinte":
        body["cause_sortie"] = fields["cause_sortie"]
    return body


@pytest.mark.parametrize("seed", [1, 2])
def test_counters_equal_recount_after_random_writes(client, admin, make_token, session, seed):
    rng = random.Random(seed)
    owners = []
    for kind in ("individuel", "service"):
        body = mandataire_body(type=kind, departements=["59", "62", "75"], capacite=500, natures=NATURES, dpf=True)
        response = client.post("/mandataires", json=body, headers=admin)
        assert response.status_code == 201, response.text
        owners.append(response.json()["id"])
    itself = make_token("mandataire", mandataire_id=owners[0])
    ids: list[int] = []
    done: Counter = Counter()
    for step in range(30):
        operation = rng.choice(["create", "create", "update", "update", "delete", "batch"])
        if operation == "create" or not ids:
            body = mesure_body(tribunal=rng.choice(TRIBUNAUX), mandataire=rng.choice(owners), **random_fields(rng))
            if rng.random() < 0.1:
                body["statut"], body["cause_sortie"] = "en_attente", None
                body.pop("date_fin_mesure", None)
            response = client.post("/mesures", json=body, headers=admin)
            if response.status_code == 201:
                ids.append(response.json()["id"])
        elif operation == "update":
            mesure_id = rng.choice(ids)
            current = client.get(f"/mesures/{mesure_id}", headers=admin).json()
            changes = {"version": current["version"], **random_fields(rng)}
            changes.setdefault("date_fin_mesure", None)
            if rng.random() < 0.3:
                changes["mandataire"] = rng.choice(owners)
            if rng.random() < 0.3:
                changes = {"version": current["version"], "nature": rng.choice(NATURES)}
            response = client.patch(f"/mesures/{mesure_id}", json=changes, headers=admin)
        elif operation == "delete":
            response = client.delete(f"/mesures/{ids.pop(rng.randrange(len(ids)))}", headers=admin)
        else:
            mine = [m for m in client.get("/mesures", headers=itself, params={"taille": 200}).json()["items"]]
            restated = [
                vendor_mesure(m["numero_rg"], m["tribunal"]["siret"], random_fields(rng))
                for m in rng.sample(mine, min(2, len(mine)))
            ]
            fresh = [
                vendor_mesure(f"{seed}/B{step:03d}{i}", rng.choice(TRIBUNAUX), random_fields(rng)) for i in range(2)
            ]
            response = client.post("/mesures/lot", json={"mesures": restated + fresh}, headers=itself)
            assert response.status_code == 200, response.text
            ids += [r["id"] for r in response.json()["resultats"] if r["resultat"] == "created"]
        assert response.status_code < 500, response.text
        done[(operation, response.status_code < 300)] += 1
        check(session)
    assert done[("update", True)] and done[("delete", True)] and done[("create", True)], done


def test_the_vendor_api_moving_and_deleting_measures_moves_the_counters(client, admin, make_vendor_access, session):
    body = mandataire_body(type="service", departements=["59", "62"])
    response = client.post("/mandataires", json=body, headers=admin)
    professional = response.json()["id"]
    vendor = make_vendor_access(professional).headers
    fields = {"nature": "tutelle", "statut": "eteinte", "cause_sortie": "deces"}
    fields |= {"date_nomination": "2019-03-01", "date_fin_mesure": "2023-05-02"}
    etat = {
        "date_changement_etat": "2019-03-01",
        "nature_mesure": "tutelle",
        "lieu_vie": "domicile",
        "code_postal": "59000",
        "ville": "lille",
        "pays": "FR",
    }
    body = vendor_mesure("AB123456", LILLE, fields) | {"etats": [etat]}
    created = client.post("/api/editors/mesures", json=body, headers=vendor)
    assert created.status_code == 201, created.text
    check(session)
    assert any(key[0] == "59" for key in stored(session))
    moved = client.put(
        f"/api/editors/mesures/{created.json()['id']}", json=body | {"tribunal_siret": ARRAS}, headers=vendor
    )
    assert moved.status_code == 201, moved.text
    check(session)
    assert {key[0] for key in stored(session)} == {"62"}
    assert {key[2] for key in stored_services(session)} == {"62"}
    deleted = client.delete(f"/api/editors/mesures/{created.json()['id']}", headers=vendor)
    assert deleted.status_code == 200, deleted.text
    check(session)
    assert not stored(session) and not stored_services(session)


def test_rebuild_finds_the_counters_the_writes_kept(client, admin, session):
    owners = []
    for kind in ("individuel", "service"):
        body = mandataire_body(type=kind, natures=NATURES, dpf=True, departements=["59", "62"])
        owners.append(client.post("/mandataires", json=body, headers=admin).json()["id"])
    rng = random.Random(7)
    for _ in range(15):
        body = mesure_body(mandataire=rng.choice(owners), tribunal=rng.choice(TRIBUNAUX[:2]), **random_fields(rng))
        assert client.post("/mesures", json=body, headers=admin).status_code == 201
    session.expire_all()
    kept, totals, services = stored(session), stored_totals(session), stored_services(session)
    assert totals and totals == summed_over_natures(kept)
    monthly = stored_counters(session, MONTHLY, values=2)
    assert kept and Counter({tuple(row[:-1]): row[-1] for row in session.execute(recount_query())}) == kept
    recounted: Counter = Counter()
    for *key, opened, left in session.execute(service_recount_query()):
        recounted[(*key, "ouverture")] += opened
        recounted[(*key, "sortie")] += left
    assert services and +recounted == services
    assert monthly and monthly == monthly_recount(session)
    rebuild(session)
    assert stored(session) == kept
    assert stored_totals(session) == totals
    assert stored_services(session) == services
    assert stored_counters(session, MONTHLY, values=2) == monthly
