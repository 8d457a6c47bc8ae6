"""Deterministic synthetic demo data: professionals, sites, establishments, absences, measures, reservations.

`seed_demo` fills an already-migrated database whose `tribunal` table is synced (`sync_tribunaux`) with a
realistic but entirely invented register, at the scale of Hauts-de-France (`region`) or of France
(`national`), following the figures of the domain brief (§4 load bands, §9 sizes; `app.demo.tunables`):

- professionals are placed in real communes drawn in proportion to population (services' antennes and
  hospitals in communes of 3 000 inhabitants or more); measures are drawn in the communes of the départements
  where their professional is listed, by population and nearness to its sites (nearest antenne as `site_id`);
- several years of history (`app.demo.measures`): measures opened and closed since the history's start at a
  plausible, slowly growing pace, with the reservations judges made through the API, accepted (their measure is
  named on the day of the answer), refused or expired; measures `en_attente` are pending reservations (no
  nomination date yet) made in the last two months;
- every service declares its ETP for each year of the history (`app.demo.etp`), in step with its stock;
- every random draw comes from one `random.Random(seed)` walked in a fixed order over sorted inputs, and every
  date is relative to `today`: the same seed and the same day give the same rows;
- the load counters of professionals and sites are computed while the measures are generated and inserted with
  the rows; those per département where professionals work, and the answers to reservations per year, are
  counted from the inserted rows in the same transaction, so they all equal a recount from the first commit;
- rows are written in bulk (explicit primary keys, chunks of 10 000; the measures and reservations through the
  driver's own bulk path) in one transaction, on SQLite and PostgreSQL.

Names are built from small invented lists (`app.demo.names`): no real person appears in the data.
"""

import time as clock
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, Engine, Table, func, select, text
from sqlalchemy.orm import Session

from app.database import table_of, utcnow
from app.demo.draft import Draft, Progress
from app.demo.etablissements import etablissement_rows
from app.demo.etp import etp_rows
from app.demo.geography import build_geography
from app.demo.measures import MESURE_KEYS, create_measures
from app.demo.professionals import create_professionals, mandataire_rows
from app.demo.reservations import RESERVATION_KEYS
from app.demo.tunables import CHUNK_SIZE, RESERVATION_EXPIRY_DAYS, SCALES, Scale
from app.designation.answers import recount_answers
from app.designation.constants import ReservationStatut
from app.designation.models import Reservation
from app.geo.gazetteer import Gazetteer
from app.geo.models import Tribunal
from app.matching.versioning import bump_registry_version
from app.registry.constants import MandataireType, MesureStatut
from app.registry.load import recount_departements, recount_recent_designations
from app.registry.models import (
    Absence,
    Etablissement,
    EtpService,
    Mandataire,
    MandataireDepartement,
    MandataireEtablissement,
    MandataireNature,
    MandataireSpecialite,
    MandataireTribunal,
    Mesure,
    Site,
)
from app.registry.statistics import rebuild as rebuild_statistics


@dataclass(frozen=True)
class SeedSummary:
    scale: str
    seed: int
    mandataires: dict[str, int]  # by type
    sites: int
    antennes: int  # sites of services
    etablissements: int
    absences: int
    mesures: dict[str, int]  # by statut
    reservations: dict[str, int]  # by statut; the pending ones, one per measure en_attente
    mesures_belges: int
    elapsed_s: float

    @property
    def total_mandataires(self) -> int:
        return sum(self.mandataires.values())

    @property
    def total_mesures(self) -> int:
        return sum(self.mesures.values())


def database_is_empty(session: Session) -> bool:
    """True when no professional is registered yet (the only state `seed_demo` accepts)."""
    return session.scalar(select(Mandataire.id).limit(1)) is None


def _insert(
    connection: Connection,
    table: Table,
    rows: Sequence,
    done: list[int],
    total: int,
    tick: Callable,
    keys: tuple[str, ...] | None = None,
) -> None:
    """Rows as dicts go through Core inserts; the big tables' rows, tuples in the order of `keys`, are converted
    by their columns' own types and handed to the driver's bulk path (PostgreSQL's COPY, SQLite's executemany):
    at a million rows, Core's handling of each row's parameters would take most of the seeding time."""
    if keys is None:
        for start in range(0, len(rows), CHUNK_SIZE):
            connection.execute(table.insert(), rows[start : start + CHUNK_SIZE])
            done[0] += len(rows[start : start + CHUNK_SIZE])
            tick("insertion", done[0], total)
        return
    dialect = connection.dialect
    conversions = [
        (index, convert)
        for index, key in enumerate(keys)
        if (convert := table.c[key].type.dialect_impl(dialect).bind_processor(dialect)) is not None
    ]
    columns = ", ".join(keys)
    cursor = connection.connection.cursor()  # the driver's cursor, in this transaction
    try:
        for start in range(0, len(rows), CHUNK_SIZE):
            chunk = rows[start : start + CHUNK_SIZE]
            if conversions:
                converted = []
                for row in chunk:
                    values = list(row)
                    for index, convert in conversions:
                        values[index] = convert(values[index])
                    converted.append(values)
                chunk = converted
            if dialect.name == "postgresql":
                with cursor.copy(f"COPY {table.name} ({columns}) FROM STDIN") as copy:
                    for row in chunk:
                        copy.write_row(row)
            else:
                placeholders = ", ".join("?" * len(keys))
                cursor.executemany(f"INSERT INTO {table.name} ({columns}) VALUES ({placeholders})", chunk)
            done[0] += len(chunk)
            tick("insertion", done[0], total)
    finally:
        cursor.close()


def _reset_sequences(connection: Connection, tables: Sequence[Table]) -> None:
    """PostgreSQL sequences do not see explicit keys: move them past the inserted ids."""
    if connection.dialect.name != "postgresql":
        return
    for table in tables:
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), max_id) "
                f"FROM (SELECT max(id) AS max_id FROM {table.name}) AS m WHERE max_id IS NOT NULL"
            )
        )


def seed_demo(
    engine: Engine,
    gazetteer: Gazetteer,
    *,
    scale: Scale,
    seed: int = 1,
    today: date | None = None,
    progress: Progress | None = None,
    reservation_expiry_days: int = RESERVATION_EXPIRY_DAYS,
) -> SeedSummary:
    """Fill an empty, migrated database (tribunals synced) with a synthetic register, in one transaction.

    `progress(stage, done, total)` is called as the work advances, for the stages "professionnels", "mesures"
    (professionals whose measures are generated) and "insertion" (rows written); each ends with done == total.
    Pending measures get a pending reservation expiring after `reservation_expiry_days` (pass the settings').
    Raises ValueError when the database already holds professionals or has no tribunals."""
    started = clock.perf_counter()
    targets = SCALES[scale]
    today = today or date.today()
    with engine.connect() as connection:
        if connection.scalar(select(Mandataire.id).limit(1)) is not None:
            raise ValueError(
                "la base contient déjà des mandataires : le jeu de démonstration ne s'installe que sur une base vide"
            )
        tribunals = [
            (row.id, row.code, row.departement)
            for row in connection.execute(select(Tribunal.id, Tribunal.code, Tribunal.departement))
        ]
        etablissement_offset = connection.scalar(select(func.coalesce(func.max(Etablissement.id), 0))) or 0
        used_finess = set(connection.scalars(select(Etablissement.finess)))
    if not tribunals:
        raise ValueError("la table des tribunaux est vide : lancez d'abord `mjpm db upgrade`")

    draft = Draft(
        build_geography(gazetteer, targets, tribunals),
        targets,
        seed=seed,
        today=today,
        progress=progress,
        reservation_expiry_days=reservation_expiry_days,
        etablissement_offset=etablissement_offset,
        used_finess=used_finess,
    )
    create_professionals(draft)
    create_measures(draft)
    mandataires, links = mandataire_rows(draft)
    etablissements = etablissement_rows(draft)
    etp = etp_rows(draft)

    plan: list[tuple[Table, Sequence, tuple[str, ...] | None]] = [
        (table_of(Etablissement), etablissements, None),
        (table_of(Mandataire), mandataires, None),
        (table_of(MandataireNature), links["nature"], None),
        (table_of(MandataireDepartement), links["departement"], None),
        (table_of(MandataireTribunal), links["tribunal"], None),
        (table_of(MandataireSpecialite), links["specialite"], None),
        (table_of(MandataireEtablissement), links["etablissement"], None),
        (table_of(Site), links["site"], None),
        (table_of(EtpService), etp, None),
        (table_of(Absence), draft.absences, None),
        (table_of(Mesure), draft.mesures, MESURE_KEYS),
        (table_of(Reservation), draft.reservations, RESERVATION_KEYS),
    ]
    total = sum(len(rows) for _, rows, _ in plan)
    done = [0]
    draft.tick("insertion", 0, total)
    with engine.begin() as connection:
        for table, rows, keys in plan:
            _insert(connection, table, rows, done, total, draft.tick, keys)
        # The counters per département where professionals work, and of the answers per year, in one GROUP BY each.
        recount_departements(connection)
        # Nor the recent designations: counted now, whatever day the register is seeded as (readers read at now).
        recount_recent_designations(connection, now=utcnow())
        recount_answers(connection)
        # Core inserts skip the ORM hook that stamps registry changes: move the stamp, so that running workers
        # rebuild their matching index.
        bump_registry_version(connection)
        # Nor do they move the yearly counters of the measures: recount them.
        rebuild_statistics(connection)
        _reset_sequences(
            connection,
            [table for table, _, _ in plan if "id" in table.c and table.c.id.primary_key],
        )

    by_type = Counter(m.type for m in draft.mandataires)
    statut_column = MESURE_KEYS.index("statut")
    by_statut = Counter(row[statut_column] for row in draft.mesures)
    by_answer = Counter(row[RESERVATION_KEYS.index("statut")] for row in draft.reservations)
    return SeedSummary(
        scale=scale,
        seed=seed,
        mandataires={str(t): by_type.get(t, 0) for t in MandataireType},
        sites=len(links["site"]),
        antennes=sum(len(m.sites) for m in draft.mandataires if m.type == MandataireType.SERVICE),
        etablissements=len(etablissements),
        absences=len(draft.absences),
        mesures={str(s): by_statut.get(str(s), 0) for s in MesureStatut},
        reservations={str(s): by_answer.get(str(s), 0) for s in ReservationStatut},
        mesures_belges=draft.belgian_count,
        elapsed_s=round(clock.perf_counter() - started, 2),
    )
