"""The scheduled work's commands run by hand, alongside one another: two `mjpm expire` at the same time both
succeed, and each overdue reservation is expired once (the second waits for the first, then finds nothing)."""

import re
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import sessionmaker

from app.audit.models import AuditEvent
from app.database import build_engine, utcnow
from app.designation.models import Reservation
from app.geo.repository import sync_tribunaux
from tests.scheduler.support import reserve, token_factory, writing
from tests.support import migrate, scratch_database_url
from tests.test_migrations import run_cli


def test_two_concurrent_expiries_both_succeed_and_expire_each_reservation_once(tmp_path, gazetteer, database_server):
    with scratch_database_url(database_server, tmp_path, "mjpm_expire") as url:
        engine = build_engine(url)
        migrate(engine)
        with sessionmaker(bind=engine).begin() as session:
            sync_tribunaux(session, gazetteer)
        ids = reserve(url, token_factory(engine, gazetteer), count=4)
        with writing(engine) as session:
            session.execute(update(Reservation).values(expires_at=utcnow() - timedelta(minutes=1)))

        processes = [run_cli(url, "expire") for _ in range(2)]
        outputs = [process.communicate(timeout=600) for process in processes]
        assert [process.returncode for process in processes] == [0, 0], [err[-2000:] for _, err in outputs]
        expired = sorted(int(re.match(r"(\d+) réservation", out).group(1)) for out, _ in outputs)
        assert expired == [0, len(ids)]
        with sessionmaker(bind=engine)() as session:
            events = session.execute(
                select(AuditEvent.reservation_id, func.count())
                .where(AuditEvent.action == "reservation_expiree")
                .group_by(AuditEvent.reservation_id)
            ).all()
            assert sorted(events) == [(reservation, 1) for reservation in ids]
            assert set(session.scalars(select(Reservation.statut))) == {"expiree"}
        engine.dispose()
