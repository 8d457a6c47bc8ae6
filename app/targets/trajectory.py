"""Targets against actual, pure: the trajectory a target expects at a date (linear from its starting point to its
deadline, flat after it) and the linear projection of the actual trend (from the starting point to today)."""

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class Trajectoire:
    date_initiale: date
    valeur_initiale: int
    echeance: date
    cible: int

    def attendu(self, at: date) -> float:
        """The value the target expects at `at`: its starting value before the start, its target after the deadline."""
        if at <= self.date_initiale:
            return float(self.valeur_initiale)
        if at >= self.echeance:
            return float(self.cible)
        elapsed = (at - self.date_initiale).days / (self.echeance - self.date_initiale).days
        return self.valeur_initiale + (self.cible - self.valeur_initiale) * elapsed

    def projection(self, *, reel: int, today: date, at: date) -> float | None:
        """The actual trend, straight from the starting value to today's, carried on to `at`; None before a day
        has passed since the start (no trend yet)."""
        if today <= self.date_initiale:
            return None
        slope = (reel - self.valeur_initiale) / (today - self.date_initiale).days
        return max(0.0, self.valeur_initiale + slope * (at - self.date_initiale).days)
