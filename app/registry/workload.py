"""Workload weight of a measure: official coefficients are not public, so the table is configurable."""

from collections.abc import Mapping


def measure_weight(
    nature: str, lieu_vie: str, pays: str, *, weights: Mapping[str, float], belgian_factor: float
) -> float:
    """`weights` maps "nature:lieu_vie" or "nature" to a weight (default 1); Belgian measures weigh more."""
    weight = weights.get(f"{nature}:{lieu_vie}", weights.get(nature, 1.0))
    return round(weight * (belgian_factor if pays == "BE" else 1.0), 4)
