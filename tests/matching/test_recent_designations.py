"""Recent designations (the equity criterion) as `/match` reads them: the count the load path keeps while it holds,
a count of the measures otherwise, until the scheduled job recounts; never a different figure."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import delete, select, update

from app.registry.constants import FAR_FUTURE, RECENT_COUNT_HOLDS, RECENT_DESIGNATION_DAYS
from app.registry.load import designation_expiry
from app.registry.models import Mandataire, Mesure
from app.scheduler.service import recount_recent
from tests.matching.test_match_api import match
from tests.registry.factories import mesure_body
from tests.support import assert_recent_designations_equal_recount, create_mandataire

NATURES = ["curatelle_renforcee", "tutelle", "curatelle_simple", "sauvegarde_justice"]
WINDOW = timedelta(days=RECENT_DESIGNATION_DAYS)


@pytest.fixture
def judge(make_token):
    return make_token("magistrat", tribunal="17590111500709")


@pytest.fixture
def professional(client, admin, make_token):
    """A professional in Douai with a designation of 10 days ago, one of long ago and a reservation-like measure
    without a date (counted from its entry): 2 recent designations."""
    created = create_mandataire(
        client, admin, nom="Irène Vasseur", natures=NATURES, sites=[{"nom": "Bureau", "insee": "59178"}]
    )
    own = make_token("mandataire", mandataire_id=created["id"])
    for day in ((date.today() - timedelta(days=10)).isoformat(), "2015-03-14", None):
        response = client.post("/mesures", headers=own, json=mesure_body(date_nomination=day))
        assert response.status_code == 201, response.text
    return created


def equity(client, judge, professional) -> int:
    candidats = match(client, judge, residence={"insee": "59178"}).json()["candidats"]
    (mine,) = [c for c in candidats if c["mandataire"]["id"] == professional["id"]]
    return next(c for c in mine["composantes"] if c["critere"] == "equite")["valeur"]


def kept(session, professional) -> tuple[int, datetime | None, datetime | None]:
    session.expire_all()
    return session.execute(
        select(
            Mandataire.designations_recentes,
            Mandataire.designations_recentes_depuis,
            Mandataire.designations_recentes_jusqu_au,
        ).where(Mandataire.id == professional["id"])
    ).one()


def set_kept(session, professional, **values) -> None:
    session.execute(update(Mandataire).where(Mandataire.id == professional["id"]).values(**values))
    session.flush()


def test_the_kept_count_is_read_while_it_holds_and_the_measures_are_counted_otherwise(
    client, judge, session, professional
):
    count, depuis, jusqu_au = kept(session, professional)
    assert count == 2 and depuis < jusqu_au <= depuis + RECENT_COUNT_HOLDS
    assert equity(client, judge, professional) == 2
    # The kept figure is what /match reads while it holds (set wrong here on purpose: it shows through) ...
    set_kept(session, professional, designations_recentes=7)
    assert equity(client, judge, professional) == 7
    # ... and not once it stops holding, whatever it says: the measures are counted.
    set_kept(session, professional, designations_recentes_jusqu_au=datetime.now(UTC) - timedelta(seconds=1))
    assert equity(client, judge, professional) == 2
    set_kept(session, professional, designations_recentes_depuis=None, designations_recentes_jusqu_au=None)
    assert equity(client, judge, professional) == 2


def test_the_scheduled_job_recounts_the_counts_that_stopped_holding(client, judge, session, settings, professional):
    """A database migrated to the kept counts starts with none that holds (as here); a designation leaving the
    window ends one. The job recounts those only, and they hold again from its run."""
    set_kept(session, professional, designations_recentes=0, designations_recentes_jusqu_au=None)
    now = datetime.now(UTC)
    summary = recount_recent(session, settings, now)
    assert int(summary.split()[0]) >= 1, summary
    count, depuis, jusqu_au = kept(session, professional)
    assert (count, depuis) == (2, now)
    # Its oldest designation leaves the window in 18 days: the count holds a day, then is made again (whatever
    # changed the measures behind the load path's back in the meantime is then counted right).
    assert jusqu_au == now + RECENT_COUNT_HOLDS
    assert designation_expiry(date.today() - timedelta(days=10), now) > jusqu_au
    assert professional["id"] in assert_recent_designations_equal_recount(session)
    assert recount_recent(session, settings, now + timedelta(seconds=1)).startswith("0 compte(s)")
    assert equity(client, judge, professional) == 2


def test_measures_changed_behind_the_load_path_are_counted_right_within_a_day(session, settings, professional):
    """A process of the previous version during an upgrade, or a fix made in SQL, changes measures without moving
    the count: it holds a day at most from when it was made, and the recount then counts them."""
    undated = select(Mesure.id).where(Mesure.mandataire_id == professional["id"], Mesure.date_nomination.is_(None))
    session.execute(delete(Mesure).where(Mesure.id == session.scalar(undated)))
    assert kept(session, professional)[0] == 2  # what the count cannot know
    a_day_later = datetime.now(UTC) + RECENT_COUNT_HOLDS
    assert int(recount_recent(session, settings, a_day_later).split()[0]) >= 1
    assert kept(session, professional)[:2] == (1, a_day_later)


def test_a_change_made_by_a_clock_behind_the_last_one_stops_the_count_until_recounted(
    client, judge, make_token, session, settings, professional
):
    """Two machines whose clocks differ: the count, made later by the other one's clock, cannot tell whether a
    designation about to leave the window was in it at this one's instant; it stops holding, /match counts."""
    set_kept(session, professional, designations_recentes_depuis=datetime.now(UTC) + timedelta(hours=1))
    own = make_token("mandataire", mandataire_id=professional["id"])
    recent = mesure_body(date_nomination=date.today().isoformat())
    assert client.post("/mesures", headers=own, json=recent).status_code == 201
    count, _, jusqu_au = kept(session, professional)
    assert jusqu_au is None
    assert equity(client, judge, professional) == 3
    recount_recent(session, settings, datetime.now(UTC))
    assert kept(session, professional)[0] == 3 and equity(client, judge, professional) == 3


def test_a_closed_measure_designated_recently_counts(client, judge, make_token, session, professional):
    """Recent designations are the measures designated in the window whatever their status: a closed one entered
    moves the count, though it takes no place."""
    own = make_token("mandataire", mandataire_id=professional["id"])
    closed = mesure_body(statut="eteinte", cause_sortie="deces", date_nomination=date.today().isoformat())
    assert client.post("/mesures", headers=own, json=closed).status_code == 201
    assert kept(session, professional)[0] == 3 and equity(client, judge, professional) == 3
    assert professional["id"] in assert_recent_designations_equal_recount(session)


@pytest.mark.parametrize(
    ("nomination", "entered", "counted_until"),
    [
        # Dated: counted through the last day of the window, the UTC day RECENT_DESIGNATION_DAYS after its date.
        (date(2026, 3, 1), None, datetime(2026, 3, 2, tzinfo=UTC) + WINDOW),
        # Not dated yet: from its entry, to the microsecond.
        (None, datetime(2026, 3, 1, 15, 30, 0, 5, tzinfo=UTC), datetime(2026, 3, 1, 15, 30, 0, 5, tzinfo=UTC) + WINDOW),
        # A date near the end of the calendar (accepted by no route, but stored values are read as they are).
        (date(9999, 12, 31), None, FAR_FUTURE),
    ],
)
def test_a_designation_counts_until_its_expiry(nomination, entered, counted_until):
    entry = entered or datetime(2026, 1, 1, tzinfo=UTC)
    assert designation_expiry(nomination, entry) == counted_until
