"""The small Somme register the planning API tests share: the professionals a module describes in its
`somme_offices` fixture, each with two measures designated lately at Amiens, built once for the module; every test
then runs on a savepoint of it."""

from datetime import date, timedelta

import pytest

from app.auth.constants import Role
from app.auth.principal import Principal
from app.config import Settings
from app.geo.locate import GazetteerLocator
from app.registry import service
from app.registry.schemas import MandataireCreate, MesureCreate
from tests.registry.factories import mandataire_body, mesure_body

AMIENS = "17800111100164"
AMIENS_INSEE = "80021"
ADMIN = Principal(token_id=None, role=Role.ADMIN, departements=None)


@pytest.fixture(scope="module")
def somme(module_session, gazetteer, somme_offices) -> list[int]:
    """The ids of the professionals of `somme_offices` (`mandataire_body` fields of a professional of the Somme),
    each holding two measures of persons living at Amiens, designated in the last weeks (last year's flows)."""
    ids = [
        service.create_mandataire(
            module_session,
            principal=ADMIN,
            gazetteer=gazetteer,
            payload=MandataireCreate(**mandataire_body(departements=["80"], **office)),
        ).id
        for office in somme_offices
    ]
    for number, mandataire_id in enumerate(ids * 2):
        service.create_mesure(
            module_session,
            principal=ADMIN,
            gazetteer=gazetteer,
            locator=GazetteerLocator(gazetteer),
            settings=Settings(environment="test"),
            payload=MesureCreate(
                **mesure_body(
                    tribunal=AMIENS,
                    mandataire=mandataire_id,
                    residence={"insee": AMIENS_INSEE},
                    date_nomination=date.today() - timedelta(days=30 + number),
                )
            ),
        )
    module_session.commit()
    return ids


@pytest.fixture
def connection(somme, savepoint_connection):
    return savepoint_connection
