"""Load never drifts: after any sequence of creates, updates, closes and deletes, and of sites moved to another
département, the stored counters of every professional and site, and per professional and département where it
works (by antenne, else tribunal), and the professionals' recent designations, equal a recount of the measures
(e-MJPM's counters drifted for years)."""

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from app.auth.constants import Role
from app.auth.principal import Principal
from app.config import Settings
from app.geo.locate import GazetteerLocator
from app.geo.schemas import Residence
from app.registry import service
from app.registry.schemas import MandataireCreate, MesureCreate, MesureUpdate, SitePatch
from tests.registry.factories import mandataire_body, mesure_body
from tests.support import assert_counters_equal_recount, assert_recent_designations_equal_recount

ADMIN = Principal(token_id=0, role=Role.ADMIN, departements=None)
WEIGHTED = Settings(
    environment="test",
    workload_weights={"tutelle": 1.5, "curatelle_renforcee:etablissement": 0.75},
    belgian_workload_factor=1.25,
)
LILLE, ARRAS = "17590111500709", "17590111500535"
SITE_COMMUNES = ["59350", "62041", "59009"]
NATURES = ["tutelle", "curatelle_renforcee", "curatelle_simple"]
RESIDENCES = [Residence(insee="59350"), Residence(pays="BE", code_postal="7500")]
# Designation dates, in days before today (None: no date yet, counted from the entry): in the window, on its first
# day (28 days before), just out of it, long ago, and in the future.
DAYS_AGO = [None, 0, 27, 28, 29, 400, -3]

create = st.tuples(
    st.just("create"),
    st.integers(0, 1),
    st.integers(0, 2),
    st.sampled_from(["en_cours", "en_attente", "eteinte"]),
    st.sampled_from(NATURES),
    st.sampled_from(["domicile", "etablissement"]),
    st.integers(0, 1),
    st.sampled_from([LILLE, ARRAS]),
    st.sampled_from(DAYS_AGO),
)
update = st.tuples(
    st.just("update"),
    st.integers(0, 30),
    st.integers(0, 1),
    st.integers(0, 2),
    st.sampled_from(["en_cours", "en_attente", "eteinte", None]),
    st.sampled_from([*NATURES, None]),
    st.integers(0, 1),
    st.sampled_from(["same", *DAYS_AGO]),
)
delete = st.tuples(st.just("delete"), st.integers(0, 30))
# A site moved to a commune of another département (or back): its measures are worked there now.
move_site = st.tuples(st.just("move_site"), st.integers(0, 1), st.integers(0, 1), st.sampled_from(SITE_COMMUNES))
operations = st.lists(st.one_of(create, update, delete, move_site), min_size=1, max_size=12)


@pytest.fixture
def mandataires(session, gazetteer) -> list:
    """Two professionals with two antennes each, created once for the test: each example runs in a savepoint over
    them that is rolled back, so every example starts from the same two professionals without any measure."""
    natures = [*NATURES, "sauvegarde_justice"]
    sites = [{"nom": "A", "insee": "59350"}, {"nom": "B", "insee": "59009"}]
    created = [
        service.create_mandataire(
            session,
            principal=ADMIN,
            gazetteer=gazetteer,
            payload=MandataireCreate(**mandataire_body(natures=natures, sites=sites)),
        )
        for _ in range(2)
    ]
    session.flush()
    return created


@hypothesis_settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=operations)
# The antenne of a measure in progress moves to another département, then the measure leaves the antenne.
@example(
    steps=[
        ("create", 0, 0, "en_cours", "tutelle", "domicile", 0, LILLE, None),
        ("move_site", 0, 0, "62041"),
        ("update", 0, 0, 2, None, None, 0, "same"),
    ]
)
def test_counters_equal_recount_after_any_sequence(session, gazetteer, mandataires, steps):
    locator = GazetteerLocator(gazetteer)
    savepoint = session.begin_nested()
    session.expire_all()  # what an earlier example loaded is read again: its writes were rolled back
    try:
        mesures = []
        for step in steps:
            if step[0] == "create":
                _, who, site_index, statut, nature, lieu_vie, where, tribunal, days_ago = step
                owner = mandataires[who]
                site = owner.sites[site_index].id if site_index < len(owner.sites) else None
                body = mesure_body(
                    tribunal=tribunal,
                    nature=nature,
                    lieu_vie=lieu_vie,
                    statut=statut,
                    site=site,
                    mandataire=owner.id,
                    residence=RESIDENCES[where].model_dump(exclude_none=True),
                    cause_sortie="deces" if statut == "eteinte" else None,
                    date_nomination=_day(days_ago),
                )
                mesures.append(
                    service.create_mesure(
                        session,
                        principal=ADMIN,
                        gazetteer=gazetteer,
                        locator=locator,
                        settings=WEIGHTED,
                        payload=MesureCreate(**body),
                    )
                )
            elif step[0] == "update" and mesures:
                _, index, who, site_index, statut, nature, where, days_ago = step
                mesure = mesures[index % len(mesures)]
                owner = mandataires[who]
                changes = {
                    "version": mesure.version,
                    "mandataire": owner.id,
                    "site": owner.sites[site_index].id if site_index < len(owner.sites) else None,
                    "residence": RESIDENCES[where].model_dump(exclude_none=True),
                }
                if statut:
                    changes |= {"statut": statut, "cause_sortie": "mainlevee" if statut == "eteinte" else None}
                if nature:
                    changes["nature"] = nature
                if days_ago != "same":
                    changes["date_nomination"] = _day(days_ago)
                service.update_mesure(
                    session,
                    principal=ADMIN,
                    locator=locator,
                    settings=WEIGHTED,
                    mesure=mesure,
                    payload=MesureUpdate(**changes),
                )
            elif step[0] == "delete" and mesures:
                service.delete_mesure(session, mesure=mesures.pop(step[1] % len(mesures)))
            elif step[0] == "move_site":
                _, who, site_index, insee = step
                owner = mandataires[who]
                service.update_site(
                    session,
                    gazetteer=gazetteer,
                    mandataire=owner,
                    site_id=owner.sites[site_index].id,
                    payload=SitePatch(insee=insee),
                )
            session.flush()
            assert_counters_equal_recount(session)
        # Every change was made now, by the load path: both counts hold (the recount above compared them).
        assert {m.id for m in mandataires} <= assert_recent_designations_equal_recount(session)
    finally:
        savepoint.rollback()


def _day(days_ago: int | None) -> str | None:
    return None if days_ago is None else (date.today() - timedelta(days=days_ago)).isoformat()
