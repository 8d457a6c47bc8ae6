"""Prometheus exposition of /metrics: the request metrics of app.observability (added up over every worker when
`PROMETHEUS_MULTIPROC_DIR` is set, see `mjpm serve`) followed by the business figures read from the database."""

import os

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import REGISTRY, Collector

from app.system.service import BusinessFigures

# Business gauge: name, help text, field of BusinessFigures.
GAUGES = (
    ("mjpm_reservations_pending", "Réservations en attente de réponse", "reservations_en_attente"),
    (
        "mjpm_reservations_expiring_7d",
        "Réservations en attente qui expirent dans les 7 jours",
        "reservations_expirant_7j",
    ),
    ("mjpm_notifications_pending", "Notifications en attente d'envoi", "notifications_en_attente"),
    (
        "mjpm_notification_oldest_pending_age_seconds",
        "Âge de la plus ancienne notification en attente (0 sans attente)",
        "notification_plus_ancienne_s",
    ),
    ("mjpm_registry_version", "Version du registre (change avec chaque profil modifié)", "registry_version"),
)


class _Figures(Collector):
    def __init__(self, figures: BusinessFigures | None) -> None:
        self.figures = figures

    def collect(self):
        # An alert can tell "no pending reservation" from "the database did not answer" (no figure at all).
        yield GaugeMetricFamily(
            "mjpm_database_up",
            "Base de données lue par ce relevé (1) ou injoignable (0)",
            value=0 if self.figures is None else 1,
        )
        if self.figures is None:
            return
        for name, documentation, field in GAUGES:
            yield GaugeMetricFamily(name, documentation, value=getattr(self.figures, field))


def exposition(figures: BusinessFigures | None) -> bytes:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        process_metrics = CollectorRegistry()
        MultiProcessCollector(process_metrics)
    else:
        process_metrics = REGISTRY
    business = CollectorRegistry(auto_describe=False)
    business.register(_Figures(figures))
    return generate_latest(process_metrics) + generate_latest(business)
