"""The demo data set: deterministic, consistent (counters = recount, titles respected, unique case numbers) and
realistic (Hauts-de-France sizes, MI load bands, home/establishment split, a few Belgian measures).

The region scale is seeded once per run (`demo_register`, shared with the dashboards' tests) and copied into this
module's own scratch database (SQLite file or PostgreSQL database, as `database_server` says); the determinism test
seeds three registers of a tenth of its size.
"""

import hashlib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker
from stdnum.fr import siret

from app.auth.constants import Role
from app.config import Settings
from app.database import build_engine
from app.demo.seed import SeedSummary, database_is_empty, seed_demo
from app.demo.tunables import HISTORY_YEARS, SCALES, ScaleTargets
from app.designation.models import Reservation
from app.designation.service import expire_and_remind
from app.geo.gazetteer import Gazetteer
from app.geo.repository import sync_tribunaux
from app.main import create_app
from app.registry import rg
from app.registry.constants import CauseSortie
from app.registry.models import Absence, Mandataire, Mesure
from app.tokens.service import issue_token
from tests.support import (
    DEMO_SEED,
    DEMO_TODAY,
    DemoRegister,
    assert_counters_equal_recount,
    assert_recent_designations_equal_recount,
    migrate,
    scratch_database_url,
)

TODAY = DEMO_TODAY  # the day the run's regional demo is seeded as (today)
SEED = DEMO_SEED
TABLES = {  # table: ORDER BY giving one row order on every database
    "etablissement": "id",
    "mandataire": "id",
    "site": "id",
    "absence": "id",
    "mesure": "id",
    "mandataire_nature": "mandataire_id, nature",
    "mandataire_departement": "mandataire_id, departement",
    "mandataire_tribunal": "mandataire_id, tribunal_id",
    "mandataire_specialite": "mandataire_id, specialite",
    "mandataire_etablissement": "mandataire_id, etablissement_id",
    "etp_service": "mandataire_id, annee",
}


@contextmanager
def seeded(
    server: str, directory: Path, gazetteer: Gazetteer, **options
) -> Iterator[tuple[Engine, SeedSummary | None]]:
    """A fresh migrated database with the tribunals, seeded with `options` (not seeded when none are given)."""
    with scratch_database_url(server, directory, "mjpm_seed") as url:
        database = build_engine(url)
        try:
            migrate(database)
            with sessionmaker(bind=database).begin() as session:
                sync_tribunaux(session, gazetteer)
            summary = seed_demo(database, gazetteer, **options) if options else None
            yield database, summary
        finally:
            database.dispose()


# The professionals' recent designations are counted at the instant of the seeding, not drawn.
COUNTED_AT_SEEDING = {"designations_recentes", "designations_recentes_depuis", "designations_recentes_jusqu_au"}


def table_digest(database: Engine) -> dict[str, str]:
    digests = {}
    with database.connect() as connection:
        for table, order in TABLES.items():
            rows = connection.execute(text(f"SELECT * FROM {table} ORDER BY {order}"))
            drawn = [[value for name, value in row._mapping.items() if name not in COUNTED_AT_SEEDING] for row in rows]
            digests[table] = hashlib.sha256(repr(drawn).encode()).hexdigest()
    return digests


@pytest.fixture(scope="module")
def region(
    tmp_path_factory: pytest.TempPathFactory, database_server: str, demo_register: DemoRegister
) -> Iterator[tuple[Engine, SeedSummary, list]]:
    """The run's regional demo (seeded once, `demo_register`): a copy of it, the seed's summary and progress calls."""
    directory = tmp_path_factory.mktemp("seed")
    with scratch_database_url(database_server, directory, "mjpm_seed", template=demo_register.url) as url:
        database = build_engine(url)
        try:
            yield database, demo_register.summary, list(demo_register.progress)
        finally:
            database.dispose()


@pytest.fixture(scope="module")
def database(region) -> Engine:
    return region[0]


@pytest.fixture(scope="module")
def summary(region) -> SeedSummary:
    return region[1]


def rows(database: Engine, sql: str, **params) -> list[tuple]:
    with database.connect() as connection:
        return [tuple(row) for row in connection.execute(text(sql), params)]


def scalar(database: Engine, sql: str, **params):
    with database.connect() as connection:
        return connection.execute(text(sql), params).scalar()


# --- sizes and bookkeeping ---------------------------------------------------------------------------


def test_region_sizes_follow_hauts_de_france(database, summary):
    targets = SCALES["region"]
    assert summary.mandataires == {
        "service": targets.services,
        "individuel": targets.individuels,
        "prepose": targets.preposes,
    }
    held = summary.mesures["en_cours"] + summary.mesures["en_attente"]
    assert abs(held - targets.mesures) <= 0.1 * targets.mesures
    assert summary.mesures["en_attente"] > 0 and summary.mesures["eteinte"] > 0
    assert summary.mesures["en_attente"] / held < 0.02
    assert 2 * targets.services <= summary.antennes <= 6 * targets.services
    assert summary.sites == summary.antennes + targets.individuels + targets.preposes
    # The summary tells what the database holds.
    assert dict(rows(database, "SELECT type, count(*) FROM mandataire GROUP BY type")) == summary.mandataires
    assert dict(rows(database, "SELECT statut, count(*) FROM mesure GROUP BY statut")) == summary.mesures
    assert scalar(database, "SELECT count(*) FROM site") == summary.sites
    assert scalar(database, "SELECT count(*) FROM etablissement") == summary.etablissements
    assert scalar(database, "SELECT count(*) FROM absence") == summary.absences
    assert scalar(database, "SELECT count(*) FROM mesure WHERE pays = 'BE'") == summary.mesures_belges
    assert dict(rows(database, "SELECT statut, count(*) FROM reservation GROUP BY statut")) == {
        statut: n for statut, n in summary.reservations.items() if n
    }
    # Only Hauts-de-France départements.
    assert {r[0] for r in rows(database, "SELECT DISTINCT departement FROM mandataire_departement")} <= {
        "02",
        "59",
        "60",
        "62",
        "80",
    }
    assert {r[0] for r in rows(database, "SELECT DISTINCT departement FROM mesure WHERE pays = 'FR'")} == {
        "02",
        "59",
        "60",
        "62",
        "80",
    }


def test_progress_is_reported_up_to_completion(region):
    calls = region[2]
    stages = [stage for stage, _, _ in calls]
    assert {"professionnels", "mesures", "insertion"} <= set(stages)
    last = {stage: (done, total) for stage, done, total in calls}
    assert all(done == total for done, total in last.values())


def test_load_counters_equal_a_recount(database):
    for table, owner in (("mandataire", "mandataire_id"), ("site", "site_id")):
        recount = {
            row[0]: row[1:]
            for row in rows(
                database,
                f"""
            SELECT {owner}, SUM(CASE WHEN statut = 'en_cours' THEN 1 ELSE 0 END),
                   SUM(CASE WHEN statut = 'en_attente' THEN 1 ELSE 0 END),
                   SUM(CASE WHEN statut = 'en_cours' THEN poids ELSE 0 END),
                   SUM(CASE WHEN statut = 'en_attente' THEN poids ELSE 0 END)
            FROM mesure WHERE {owner} IS NOT NULL GROUP BY {owner}""",
            )
        }
        stored = rows(
            database,
            f"SELECT id, mesures_en_cours, mesures_en_attente, charge_en_cours, charge_en_attente FROM {table}",
        )
        for row_id, en_cours, en_attente, charge_en_cours, charge_en_attente in stored:
            counts = recount.get(row_id, (0, 0, 0.0, 0.0))
            assert (en_cours, en_attente) == (int(counts[0]), int(counts[1])), (table, row_id)
            assert charge_en_cours == pytest.approx(float(counts[2])) and charge_en_attente == pytest.approx(
                float(counts[3])
            )
    # Every measure of a professional sits on one of its own sites.
    assert (
        scalar(
            database,
            """SELECT count(*) FROM mesure m JOIN site s ON s.id = m.site_id
                             WHERE s.mandataire_id != m.mandataire_id""",
        )
        == 0
    )
    assert scalar(database, "SELECT count(*) FROM mesure WHERE site_id IS NULL") == 0


# --- determinism -------------------------------------------------------------------------------------


# The region's register at about a tenth of its size: the same code draws every row, three seedings cost less than
# one of the full region.
SMALL_REGION = ScaleTargets(region="32", services=5, individuels=20, preposes=8, mesures=4_000)


def test_same_seed_gives_the_same_rows_and_another_seed_others(
    tmp_path_factory, gazetteer, monkeypatch, database_server
):
    monkeypatch.setitem(SCALES, "region", SMALL_REGION)
    options = {"scale": "region", "today": TODAY}
    with seeded(database_server, tmp_path_factory.mktemp("first"), gazetteer, seed=SEED, **options) as (first, summary):
        assert summary is not None and summary.mesures["en_cours"] > 1_000 and summary.mesures_belges > 0
        digest = table_digest(first)
    with seeded(database_server, tmp_path_factory.mktemp("again"), gazetteer, seed=SEED, **options) as (again, _):
        assert table_digest(again) == digest
    with seeded(database_server, tmp_path_factory.mktemp("other"), gazetteer, seed=SEED + 1, **options) as (other, _):
        assert table_digest(other)["mandataire"] != digest["mandataire"]
        assert table_digest(other)["mesure"] != digest["mesure"]


def test_recent_designations_are_counted_and_hold(database):
    """The seed writes measures by bulk inserts: it counts every professional's recent designations once, at the
    end, so that `/match` reads them without counting."""
    with Session(database) as session:
        held = assert_recent_designations_equal_recount(session)
        # All held at the seeding; since, a designation may have left the window (that count then waits for the job).
        assert len(held) > 0.9 * len(session.scalars(select(Mandataire.id)).all())
        assert session.scalar(select(func.sum(Mandataire.designations_recentes))) > 0


def test_dates_are_relative_to_today(database):
    with Session(database) as session:
        nominations = session.execute(select(Mesure.statut, Mesure.date_nomination)).all()
        closed = session.execute(
            select(Mesure.date_nomination, Mesure.date_fin_mesure, Mesure.cause_sortie).where(
                Mesure.statut == "eteinte"
            )
        ).all()
    assert all(
        TODAY - timedelta(days=41 * 366) <= day <= TODAY for statut, day in nominations if statut != "en_attente"
    )
    # A reserved measure gets its nomination date when the professional accepts it.
    assert all(day is None for statut, day in nominations if statut == "en_attente")
    assert closed and all(cause and start < end <= TODAY for start, end, cause in closed)
    assert (
        scalar(
            database,
            "SELECT count(*) FROM mesure WHERE statut != 'eteinte'"
            " AND (cause_sortie IS NOT NULL OR date_fin_mesure IS NOT NULL)",
        )
        == 0
    )
    ages = [TODAY.year - year for (year,) in rows(database, "SELECT annee_naissance FROM mesure")]
    assert min(ages) >= 18 and max(ages) <= 101
    # An adult when the measure opened.
    with Session(database) as session:
        born = session.execute(select(Mesure.date_nomination, Mesure.annee_naissance)).all()
    assert all(day.year - year >= 18 for day, year in born if day is not None)
    with Session(database) as session:
        stamps = session.scalars(select(Mandataire.derniere_mise_a_jour)).all()
    assert all(stamp.tzinfo is not None and stamp.date() <= TODAY for stamp in stamps)
    stale = sum(1 for stamp in stamps if (TODAY - stamp.date()).days > 45)
    assert 0.05 <= stale / len(stamps) <= 0.3


# --- titles, listings, case numbers ------------------------------------------------------------------


def test_measures_respect_the_professionals_titles(database):
    assert (
        scalar(
            database,
            """SELECT count(*) FROM mesure m WHERE NOT EXISTS (
        SELECT 1 FROM mandataire_nature n WHERE n.mandataire_id = m.mandataire_id AND n.nature = m.nature)""",
        )
        == 0
    )
    assert (
        scalar(
            database,
            """SELECT count(*) FROM mandataire_nature n JOIN mandataire x ON x.id = n.mandataire_id
                             WHERE n.nature = 'mjagbf' AND NOT x.dpf""",
        )
        == 0
    )
    assert (
        scalar(
            database,
            """SELECT count(*) FROM mesure m JOIN mandataire x ON x.id = m.mandataire_id
                             WHERE m.nature = 'mjagbf' AND NOT x.dpf""",
        )
        == 0
    )
    assert (
        scalar(
            database,
            """SELECT count(*) FROM mandataire_nature n JOIN mandataire x ON x.id = n.mandataire_id
                             WHERE x.type = 'prepose' AND n.nature IN ('mesure_accompagnement_judiciaire', 'mjagbf')""",
        )
        == 0
    )
    assert (
        scalar(
            database,
            """SELECT count(*) FROM mesure m JOIN mandataire x ON x.id = m.mandataire_id
                             WHERE x.type = 'prepose' AND m.nature IN ('mesure_accompagnement_judiciaire', 'mjagbf')""",
        )
        == 0
    )
    # Some DPF do take MJAGBF, and the nature mix is the usual one.
    assert scalar(database, "SELECT count(*) FROM mesure WHERE nature = 'mjagbf'") > 0
    # Of the measures held today (closed ones are more often of the short natures).
    held = "SELECT nature, count(*) FROM mesure WHERE statut != 'eteinte' GROUP BY nature"
    total = scalar(database, "SELECT count(*) FROM mesure WHERE statut != 'eteinte'")
    mix = {nature: count / total for nature, count in rows(database, held)}
    assert mix["curatelle_renforcee"] == pytest.approx(0.45, abs=0.05)
    assert mix["tutelle"] == pytest.approx(0.35, abs=0.05)
    assert mix["curatelle_simple"] == pytest.approx(0.08, abs=0.03)


def test_french_measures_are_judged_where_they_live(database):
    assert (
        scalar(
            database,
            """SELECT count(*) FROM mesure m JOIN tribunal t ON t.id = m.tribunal_id
                             WHERE m.pays = 'FR' AND t.departement != m.departement""",
        )
        == 0
    )
    # Listed in the département of the measure's tribunal, and restricted professionals at their tribunals only.
    assert (
        scalar(
            database,
            """SELECT count(*) FROM mesure m JOIN tribunal t ON t.id = m.tribunal_id WHERE NOT EXISTS (
        SELECT 1 FROM mandataire_departement d
        WHERE d.mandataire_id = m.mandataire_id AND d.departement = t.departement)""",
        )
        == 0
    )
    assert scalar(database, "SELECT count(DISTINCT mandataire_id) FROM mandataire_tribunal") > 0
    assert (
        scalar(
            database,
            """SELECT count(*) FROM mesure m
        WHERE EXISTS (SELECT 1 FROM mandataire_tribunal r WHERE r.mandataire_id = m.mandataire_id)
          AND NOT EXISTS (SELECT 1 FROM mandataire_tribunal r
                          WHERE r.mandataire_id = m.mandataire_id AND r.tribunal_id = m.tribunal_id)
    """,
        )
        == 0
    )


def test_case_numbers_are_unique_per_tribunal(database):
    assert (
        scalar(
            database,
            """SELECT count(*) FROM (SELECT tribunal_id, numero_rg FROM mesure
                             GROUP BY tribunal_id, numero_rg HAVING count(*) > 1) AS duplicates""",
        )
        == 0
    )
    numbers = [n for (n,) in rows(database, "SELECT numero_rg FROM mesure WHERE id <= 500")]
    # In the registry's one form (e-MJPM's strict one), so that a judge's search by RG number finds them.
    assert all(rg.is_strict(n) and n[2] == "D" and n.replace("D", "").isdigit() for n in numbers)


def test_listings_and_professionals(database):
    listings = dict(
        rows(
            database,
            """SELECT n, count(*) FROM (SELECT count(*) AS n FROM mandataire_departement d
        JOIN mandataire m ON m.id = d.mandataire_id WHERE m.type = 'individuel'
        GROUP BY d.mandataire_id) AS l GROUP BY n""",
        )
    )
    assert set(listings) <= {1, 2, 3} and listings[1] > listings.get(2, 0) > 0
    sirets = rows(database, "SELECT type, siret FROM mandataire")
    assert all(siret.is_valid(number) for kind, number in sirets if kind != "prepose")
    assert all(number is None for kind, number in sirets if kind == "prepose")
    assert len({number for _, number in sirets if number}) == sum(1 for kind, _ in sirets if kind != "prepose")
    statuts = dict(rows(database, "SELECT statut, count(*) FROM mandataire GROUP BY statut"))
    assert statuts["actif"] / sum(statuts.values()) > 0.85
    antennes = [
        n
        for (n,) in rows(
            database,
            """SELECT count(*) FROM site s JOIN mandataire m ON m.id = s.mandataire_id
                                              WHERE m.type = 'service' GROUP BY s.mandataire_id""",
        )
    ]
    assert min(antennes) >= 2 and max(antennes) <= 7  # up to 6 in its département, one in a neighbour
    assert (
        scalar(
            database,
            """SELECT count(*) FROM (SELECT s.mandataire_id FROM site s JOIN mandataire m ON m.id = s.mandataire_id
                             WHERE m.type != 'service' GROUP BY s.mandataire_id HAVING count(*) != 1) AS more""",
        )
        == 0
    )
    assert (
        scalar(database, "SELECT count(*) FROM mandataire WHERE type = 'individuel' AND rayon_km BETWEEN 50 AND 80")
        > 80
    )
    names = [name for (name,) in rows(database, "SELECT nom FROM mandataire")]
    assert len(set(names)) == len(names)
    assert scalar(database, "SELECT count(*) FROM absence WHERE fin >= :today", today=TODAY) > 0


def test_preposes_work_in_their_establishments(database):
    own = rows(
        database,
        """SELECT m.id, count(me.etablissement_id) FROM mandataire m
                          JOIN mandataire_etablissement me ON me.mandataire_id = m.id
                          WHERE m.type = 'prepose' GROUP BY m.id""",
    )
    assert len(own) == SCALES["region"].preposes and all(1 <= count <= 3 for _, count in own)
    # Each préposé's site is at one of its establishments, a public one over 80 places.
    assert (
        scalar(
            database,
            """SELECT count(*) FROM site s JOIN mandataire m ON m.id = s.mandataire_id
        WHERE m.type = 'prepose' AND NOT EXISTS (SELECT 1 FROM mandataire_etablissement me JOIN etablissement e
            ON e.id = me.etablissement_id
            WHERE me.mandataire_id = m.id AND e.insee = s.insee AND e.public AND e.places_permanentes > 80)
    """,
        )
        == 0
    )
    assert (
        scalar(
            database,
            """SELECT count(*) FROM mesure m JOIN mandataire x ON x.id = m.mandataire_id
        WHERE x.type = 'prepose' AND m.etablissement_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM mandataire_etablissement me
            WHERE me.mandataire_id = m.mandataire_id AND me.etablissement_id = m.etablissement_id)""",
        )
        == 0
    )
    # Dashboards look for obliged establishments without a préposé: there are some.
    assert (
        scalar(
            database,
            """SELECT count(*) FROM etablissement e WHERE e.public AND e.places_permanentes > 80 AND NOT EXISTS (
        SELECT 1 FROM mandataire_etablissement me WHERE me.etablissement_id = e.id)""",
        )
        > 0
    )
    finess = [f for (f,) in rows(database, "SELECT finess || '|' || departement FROM etablissement")]
    assert all(len(f.split("|")[0]) == 9 and f.split("|")[0].startswith(f.split("|")[1]) for f in finess)


# --- realism -----------------------------------------------------------------------------------------


def test_belgian_measures_belong_to_professionals_working_in_belgium(database, summary):
    belgian = rows(
        database, "SELECT mandataire_id, nis, code_postal, commune, insee, departement FROM mesure WHERE pays = 'BE'"
    )
    assert belgian
    assert all(
        nis and len(nis) == 5 and len(postcode) == 4 and commune and insee is None and departement is None
        for _, nis, postcode, commune, insee, departement in belgian
    )
    specialists = {
        m for (m,) in rows(database, "SELECT mandataire_id FROM mandataire_specialite WHERE specialite = 'belgique'")
    }
    assert {m for m, *_ in belgian} <= specialists
    types = {
        t
        for (t,) in rows(
            database,
            "SELECT DISTINCT m.type FROM mandataire m JOIN mandataire_specialite s ON s.mandataire_id = m.id "
            "WHERE s.specialite = 'belgique'",
        )
    }
    assert types == {"service", "individuel"}
    # Roughly 1-2 % of the measures of the border départements.
    border = scalar(database, "SELECT count(*) FROM mesure WHERE departement IN ('59', '62', '02') OR pays = 'BE'")
    assert 0.007 <= summary.mesures_belges / border <= 0.025


def test_sixty_percent_live_at_home(database):
    counts = dict(rows(database, "SELECT lieu_vie, count(*) FROM mesure GROUP BY lieu_vie"))
    home = (counts.get("domicile", 0) + counts.get("sdf", 0)) / sum(counts.values())
    assert home == pytest.approx(0.60, abs=0.04)
    linked = scalar(database, "SELECT count(*) FROM mesure WHERE etablissement_id IS NOT NULL")
    assert (
        linked > 0
        and scalar(
            database,
            "SELECT count(*) FROM mesure WHERE etablissement_id IS NOT NULL AND lieu_vie IN ('domicile', 'sdf')",
        )
        == 0
    )


def test_mi_loads_follow_the_national_bands(database):
    loads = [
        n
        for (n,) in rows(
            database, "SELECT mesures_en_cours + mesures_en_attente FROM mandataire WHERE type = 'individuel'"
        )
    ]
    share = lambda low, high: sum(1 for n in loads if low <= n <= high) / len(loads)  # noqa: E731
    assert min(loads) >= 1
    assert share(1, 30) == pytest.approx(555 / 1018, abs=0.12)
    assert share(31, 50) == pytest.approx(266 / 1018, abs=0.1)
    assert share(51, 80) == pytest.approx(127 / 1018, abs=0.08)
    assert share(81, 10_000) <= 0.12
    capacity = rows(
        database, "SELECT capacite, mesures_en_cours + mesures_en_attente FROM mandataire WHERE type = 'individuel'"
    )
    above = sum(1 for cap, load in capacity if cap > load) / len(capacity)
    assert above > 0.6 and any(cap == load for cap, load in capacity) and any(cap < load for cap, load in capacity)
    preposes = rows(database, "SELECT capacite FROM mandataire WHERE type = 'prepose'")
    assert all(25 <= cap <= 70 for (cap,) in preposes)


# --- history -----------------------------------------------------------------------------------------

FIRST_YEAR = TODAY.year - HISTORY_YEARS  # the history's first full year


def per_year(database: Engine, sql: str) -> dict[int, int]:
    """Counts per year of the dates `sql` selects (one date per row)."""
    with database.connect() as connection:
        return Counter(_day(day).year for (day,) in connection.execute(text(sql)))


def _day(value) -> date:
    """The day of a date or of a timestamp (PostgreSQL gives datetimes, SQLite text; stored in UTC)."""
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def test_openings_grow_slowly_over_the_years(database):
    openings = per_year(database, "SELECT date_nomination FROM mesure WHERE date_nomination IS NOT NULL")
    years = range(FIRST_YEAR, TODAY.year)  # full years
    for year in years[1:]:
        assert 0.75 <= openings[year] / openings[year - 1] <= 1.25, year
    # A few per cent a year, not a climb to today.
    growth = (openings[TODAY.year - 1] / openings[FIRST_YEAR]) ** (1 / (len(years) - 1)) - 1
    assert 0.0 <= growth <= 0.08
    with database.connect() as connection:
        recent = [
            _day(day)
            for (day,) in connection.execute(
                text("SELECT date_nomination FROM mesure WHERE date_nomination > :since"),
                {"since": TODAY - timedelta(days=730)},
            )
        ]
    last_year = sum(1 for day in recent if day > TODAY - timedelta(days=365))
    assert 0.9 <= last_year / (len(recent) - last_year) <= 1.2
    # Courts slow down in August.
    months = Counter(day.month for day in recent)
    assert months[8] < 0.85 * min(months[m] for m in (6, 9, 10))


def test_closures_keep_the_stock_stable_to_growing(database):
    stocks = {}
    for year in range(FIRST_YEAR, TODAY.year):
        stocks[year] = scalar(
            database,
            """SELECT count(*) FROM mesure WHERE date_nomination <= :day
               AND (date_fin_mesure IS NULL OR date_fin_mesure > :day)""",
            day=date(year, 12, 31),
        )
    for year in list(stocks)[1:]:
        assert 1.0 <= stocks[year] / stocks[year - 1] <= 1.08, year
    closures = per_year(database, "SELECT date_fin_mesure FROM mesure WHERE date_fin_mesure IS NOT NULL")
    assert min(closures) == FIRST_YEAR
    for year in range(FIRST_YEAR, TODAY.year):
        assert 0.08 <= closures[year] / stocks[year] <= 0.2, year
    causes = dict(rows(database, "SELECT cause_sortie, count(*) FROM mesure WHERE statut = 'eteinte' GROUP BY 1"))
    assert set(causes) == {str(c) for c in CauseSortie}
    assert max(causes, key=causes.__getitem__) == CauseSortie.DECES


def test_reservations_were_accepted_refused_and_expired_every_year(database):
    answered = [
        (_day(day), statut)
        for day, statut in rows(database, "SELECT answered_at, statut FROM reservation WHERE answered_at IS NOT NULL")
    ]
    # Every full year of the history, and the twelve months up to the day of the seed (the current year may hold
    # a day or none: the demo is seeded as of today).
    periods = {
        year: Counter(statut for day, statut in answered if day.year == year) for year in range(FIRST_YEAR, TODAY.year)
    }
    periods[TODAY.year] = Counter(statut for day, statut in answered if TODAY - timedelta(days=365) < day <= TODAY)
    for period, counts in periods.items():
        accepted = counts["acceptee"]
        assert accepted > 0 and counts["refusee"] > 0 and counts["expiree"] > 0, period
        assert counts["refusee"] < 0.2 * accepted, period
    # Refused and expired ones keep no measure (the service deletes it), a refusal gives its reason.
    assert (
        scalar(
            database,
            "SELECT count(*) FROM reservation WHERE statut IN ('refusee', 'expiree') AND mesure_id IS NOT NULL",
        )
        == 0
    )
    assert scalar(database, "SELECT count(*) FROM reservation WHERE statut = 'refusee' AND motif_refus IS NULL") == 0
    assert (
        scalar(database, "SELECT count(*) FROM reservation WHERE statut != 'refusee' AND motif_refus IS NOT NULL") == 0
    )


def test_accepted_reservations_match_their_measures(database):
    case = (Reservation.mandataire_id, Reservation.site_id, Reservation.tribunal_id, Reservation.numero_rg)
    stamps = (Reservation.created_at, Reservation.answered_at, Reservation.expires_at)
    with Session(database) as session:
        accepted = session.execute(
            select(Reservation.id, *case, Reservation.nature, *stamps)
            .add_columns(Mesure.mandataire_id, Mesure.site_id, Mesure.tribunal_id, Mesure.numero_rg, Mesure.nature)
            .add_columns(Mesure.statut, Mesure.created_at, Mesure.date_nomination)
            .join(Mesure, Mesure.id == Reservation.mesure_id)
            .where(Reservation.statut == "acceptee")
        ).all()
        earlier = session.execute(
            select(Reservation.id, *case, *stamps)
            .where(Reservation.statut.in_(("refusee", "expiree")))
            .order_by(Reservation.id)
        ).all()
    assert len(accepted) == scalar(database, "SELECT count(*) FROM reservation WHERE statut = 'acceptee'") > 0
    cases = {}
    for row in accepted:
        reservation_id, *reserved, created, answered, expires = row[:9]
        *measured, statut, mesure_created, nomination = row[9:]
        assert reserved == measured
        assert statut in ("en_cours", "eteinte") and mesure_created == created < answered <= expires
        # Named on the day the professional accepted.
        assert nomination == answered.date()
        cases[(reserved[2], reserved[3])] = (reservation_id, reserved[0], created)
    # A refusal or an expiry came first, at another professional, for the same case.
    assert earlier
    for reservation_id, mandataire_id, _, tribunal_id, numero_rg, created, answered, expires in earlier:
        assert created < answered <= expires + timedelta(hours=1)
        then = cases.get((tribunal_id, numero_rg))
        if then is not None:
            assert then[1] != mandataire_id and reservation_id < then[0] and answered < then[2]
    assert sum(1 for r in earlier if (r.tribunal_id, r.numero_rg) in cases) > 0.8 * len(earlier)


def test_the_service_keeps_the_load_of_the_demo(database):
    """The load counters equal the shared recount, and still do after the service expires today's pending
    reservations."""
    pending = scalar(database, "SELECT count(*) FROM reservation WHERE statut = 'en_attente'")
    later = datetime.combine(TODAY, time(), UTC) + timedelta(days=62)
    with Session(database) as session:
        assert_counters_equal_recount(session)
        expired, _ = expire_and_remind(session, settings=Settings(environment="test"), now=later)
        assert expired == pending > 0
        assert_counters_equal_recount(session)
        session.rollback()


# --- the database afterwards -------------------------------------------------------------------------


def test_pending_measures_are_pending_reservations(database, summary):
    with Session(database) as session:
        pending = session.execute(
            select(
                Mesure.id,
                Mesure.mandataire_id,
                Mesure.site_id,
                Mesure.tribunal_id,
                Mesure.numero_rg,
                Mesure.nature,
                Mesure.created_at,
            )
            .where(Mesure.statut == "en_attente")
            .order_by(Mesure.id)
        ).all()
        reservations = session.execute(
            select(
                Reservation.mesure_id,
                Reservation.mandataire_id,
                Reservation.site_id,
                Reservation.tribunal_id,
                Reservation.numero_rg,
                Reservation.nature,
                Reservation.created_at,
                Reservation.statut,
                Reservation.expires_at,
            )
            .where(Reservation.statut == "en_attente")
            .order_by(Reservation.mesure_id)
        ).all()
    assert len(pending) == len(reservations) == summary.reservations["en_attente"] == summary.mesures["en_attente"] > 0
    assert [tuple(m) for m in pending] == [tuple(r[:7]) for r in reservations]
    assert {r.statut for r in reservations} == {"en_attente"}
    # Recent, and none has expired yet: the expiry job frees their places in due course.
    assert all(TODAY - timedelta(days=62) <= r.created_at.date() <= TODAY < r.expires_at.date() for r in reservations)


def test_the_matching_index_sees_the_new_registry(database):
    # Core inserts bypass the ORM hook, so the seed moves the registry stamp itself.
    assert scalar(database, "SELECT version FROM registry_version WHERE id = 1") >= 1


def test_only_an_empty_database_is_seeded(database, gazetteer):
    with Session(database) as session:
        assert not database_is_empty(session)
    with pytest.raises(ValueError, match="déjà des mandataires"):
        seed_demo(database, gazetteer, scale="region", today=TODAY)


def test_new_rows_get_fresh_ids_after_seeding(database, summary, tmp_path_factory, gazetteer, database_server):
    """Explicit keys must not break later inserts (PostgreSQL sequences are moved past them)."""
    with Session(database) as session:
        absence = Absence(mandataire_id=1, debut=TODAY, fin=TODAY, motif="conges")
        session.add(absence)
        session.flush()
        assert absence.id > summary.absences
        session.rollback()
    with seeded(database_server, tmp_path_factory.mktemp("empty"), gazetteer) as (empty, _), Session(empty) as session:
        assert database_is_empty(session)


def test_a_judge_finds_a_demo_reservation_by_its_rg_number(database, gazetteer):
    """The demo's case numbers are stored as every route writes and searches them (app.registry.rg)."""
    tribunal_siret, numero = rows(
        database,
        """SELECT t.siret, r.numero_rg FROM reservation r JOIN tribunal t ON t.id = r.tribunal_id
           WHERE t.siret IS NOT NULL ORDER BY r.created_at DESC LIMIT 1""",
    )[0]
    settings = Settings(database_url=database.url.render_as_string(hide_password=False), environment="test")
    with Session(database) as session:
        token = issue_token(
            session,
            secret=settings.token_secret.get_secret_value(),
            gazetteer=gazetteer,
            role=Role.MAGISTRAT,
            tribunal=tribunal_siret,
        )[0]
        session.commit()
    typed = f"{numero[:3].lower()}-{numero[3:]}"  # as a clerk may type it: « 26d-00196 »
    with TestClient(create_app(settings)) as client:
        found = client.get(
            f"/tribunaux/{tribunal_siret}/reservations",
            params={"numero_rg": typed},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert found.status_code == 200, found.text
    assert numero in {item["numero_rg"] for item in found.json()["items"]}
