"""No overbooking: 50 concurrent reservations against 3 free places, through a real server and separate
database connections, on the engine under test. Exactly 3 succeed and the stored load equals the recount."""

import os
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.orm import sessionmaker

from app.auth.constants import Role
from app.auth.service import create_token
from app.config import Settings
from app.database import build_engine
from app.geo.repository import sync_tribunaux
from app.main import create_app
from tests.registry.factories import mandataire_body
from tests.support import migrate, scratch_database_url, serving

LILLE_TJ = "17590111500709"
ATTEMPTS = 50


@pytest.fixture
def server(tmp_path, gazetteer):
    """A uvicorn server on 127.0.0.1 over a committed scratch database; yields (base URL, token factory, engine)."""
    with scratch_database_url(
        os.environ.get("MJPM_TEST_DATABASE_URL", "sqlite://"), tmp_path, "mjpm_concurrency"
    ) as url:
        engine = build_engine(url)
        migrate(engine)
        settings = Settings(database_url=url, environment="test")
        with sessionmaker(bind=engine).begin() as session:
            sync_tribunaux(session, gazetteer)

        def token(role: str, **scope) -> dict[str, str]:
            with sessionmaker(bind=engine).begin() as session:
                value = create_token(
                    session,
                    secret=settings.token_secret.get_secret_value(),
                    gazetteer=gazetteer,
                    role=Role(role),
                    **scope,
                )
            return {"Authorization": f"Bearer {value}"}

        with serving(create_app(settings)) as base:
            yield base, token, engine
        engine.dispose()


def test_fifty_concurrent_reservations_for_three_places(server):
    base, token, engine = server
    admin, judge = token("admin"), token("magistrat", tribunal=LILLE_TJ)
    with httpx.Client(base_url=base, timeout=60) as client:
        pro = client.post(
            "/mandataires",
            headers=admin,
            json=mandataire_body(natures=["tutelle"], capacite=3, sites=[{"nom": "B", "insee": "59350"}]),
        ).json()
        match = client.post(
            "/match",
            headers=judge,
            json={"tribunal": LILLE_TJ, "nature": "tutelle", "residence": {"insee": "59350"}, "lieu_vie": "domicile"},
        ).json()
        assert pro["id"] in [c["mandataire"]["id"] for c in match["candidats"]]

    def attempt(number: int) -> int:
        with httpx.Client(base_url=base, timeout=60) as own_connection:
            response = own_connection.post(
                "/reservations",
                headers=judge,
                json={
                    "match_id": match["match_id"],
                    "mandataire": pro["id"],
                    "numero_rg": f"25/{number:05d}",
                    "famille": {"statut": "non_examine"},
                },
            )
        return response.status_code

    with ThreadPoolExecutor(max_workers=ATTEMPTS) as pool:
        statuses = list(pool.map(attempt, range(ATTEMPTS)))
    assert sorted(statuses).count(201) == 3, statuses
    assert statuses.count(409) == ATTEMPTS - 3, statuses

    with engine.connect() as connection:
        stored = connection.execute(
            text("SELECT mesures_en_cours, mesures_en_attente FROM mandataire WHERE id = :id"), {"id": pro["id"]}
        ).one()
        recount = connection.execute(
            text("SELECT COUNT(*) FROM mesure WHERE mandataire_id = :id AND statut = 'en_attente'"), {"id": pro["id"]}
        ).scalar()
        reservations = connection.execute(text("SELECT COUNT(*) FROM reservation")).scalar()
    assert tuple(stored) == (0, 3) and recount == 3 and reservations == 3
