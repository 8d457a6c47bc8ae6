"""docker-compose.yml, read as data (no container engine here): a one-shot migration the app waits for, restart
policies everywhere, health checks on every long-running service."""

import yaml

from app.config import PROJECT_ROOT

COMPOSE = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES = COMPOSE["services"]


def test_the_app_starts_after_the_database_is_healthy_and_the_migration_succeeded():
    assert SERVICES["migrate"]["command"] == ["mjpm", "db", "upgrade"]
    assert SERVICES["migrate"]["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert SERVICES["app"]["depends_on"] == {
        "db": {"condition": "service_healthy"},
        "migrate": {"condition": "service_completed_successfully"},
    }
    assert SERVICES["migrate"]["environment"] == SERVICES["app"]["environment"]


def test_every_service_restarts_and_every_long_running_one_has_a_health_check():
    assert set(SERVICES) == {"db", "migrate", "app"}
    assert SERVICES["migrate"]["restart"] == "on-failure"  # a one-shot must not restart after success
    assert SERVICES["migrate"]["healthcheck"] == {"disable": True}
    for name in ("db", "app"):
        assert SERVICES[name]["restart"] == "unless-stopped", name
        check = SERVICES[name]["healthcheck"]
        assert check["test"][0] in ("CMD", "CMD-SHELL") and check["interval"] and check["retries"] >= 3, name
    assert "/healthz" in " ".join(SERVICES["app"]["healthcheck"]["test"])
