"""Audit retention: `purge` deletes match records and events older than the retention period, nothing newer."""

from datetime import timedelta

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.audit.service import purge
from app.database import utcnow
from app.matching.models import MatchRecord

LILLE_TJ = "17590111500709"


def test_purge_keeps_what_is_within_the_retention_period(client, make_token, session, settings):
    judge = make_token("magistrat", tribunal=LILLE_TJ)
    body = {"tribunal": LILLE_TJ, "nature": "tutelle", "residence": {"insee": "59350"}, "lieu_vie": "domicile"}
    old_id = client.post("/match", headers=judge, json=body).json()["match_id"]
    recent_id = client.post("/match", headers=judge, json=body).json()["match_id"]
    long_ago = utcnow() - timedelta(days=settings.audit_retention_days + 1)
    session.get(MatchRecord, old_id).created_at = long_ago
    session.add(AuditEvent(action="reservation_creee", role="magistrat", match_id=old_id, created_at=long_ago))
    session.add(AuditEvent(action="reservation_creee", role="magistrat", match_id=recent_id))
    session.flush()

    assert purge(session, now=utcnow(), retention_days=settings.audit_retention_days) == (1, 1)
    assert session.scalars(select(MatchRecord.id)).all() == [recent_id]
    assert session.scalars(select(AuditEvent.match_id)).all() == [recent_id]
    assert client.get(f"/audit/matches/{old_id}", headers=judge).status_code == 404
    assert client.get(f"/audit/matches/{recent_id}", headers=judge).status_code == 200
