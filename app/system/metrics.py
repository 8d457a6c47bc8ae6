"""Prometheus exposition of /metrics: the request metrics of app.observability (added up over every worker when
`PROMETHEUS_MULTIPROC_DIR` is set, see `mjpm serve`) followed by the business figures read from the database."""

import os

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import REGISTRY, Collector

from app.system.service import BusinessFigures


class _Figures(Collector):
    def __init__(self, figures: BusinessFigures) -> None:
        self.figures = figures

    def collect(self):
        f = self.figures
        yield GaugeMetricFamily(
            "mjpm_reservations_pending", "Réservations en attente de réponse", value=f.reservations_en_attente
        )
        yield GaugeMetricFamily(
            "mjpm_reservations_expiring_7d",
            "Réservations en attente qui expirent dans les 7 jours",
            value=f.reservations_expirant_7j,
        )
        yield GaugeMetricFamily(
            "mjpm_notifications_pending", "Notifications en attente d'envoi", value=f.notifications_en_attente
        )
        yield GaugeMetricFamily(
            "mjpm_notification_oldest_pending_age_seconds",
            "Âge de la plus ancienne notification en attente (0 sans attente)",
            value=f.notification_plus_ancienne_s,
        )
        yield GaugeMetricFamily(
            "mjpm_registry_version", "Version du registre (change avec chaque profil modifié)", value=f.registry_version
        )


def exposition(figures: BusinessFigures) -> bytes:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        process_metrics = CollectorRegistry()
        MultiProcessCollector(process_metrics)
    else:
        process_metrics = REGISTRY
    business = CollectorRegistry(auto_describe=False)
    business.register(_Figures(figures))
    return generate_latest(process_metrics) + generate_latest(business)
