"""Who is calling and what they may see: pure rules, no FastAPI, no SQLAlchemy.

A resource outside the caller's scope answers 404 (its existence is not disclosed); a route the role may not
use at all answers 403.
"""

from dataclasses import dataclass

from app.auth.constants import JUDICIAL_ROLES, Role


@dataclass(frozen=True, slots=True)
class Principal:
    token_id: int
    role: Role
    # Départements the caller's territory covers; None means the whole country.
    departements: frozenset[str] | None
    tribunal_id: int | None = None
    mandataire_id: int | None = None

    @property
    def is_judicial(self) -> bool:
        return self.role in JUDICIAL_ROLES

    def covers_departements(self, departements: set[str] | frozenset[str]) -> bool:
        return self.departements is None or bool(self.departements & departements)

    def covers_all(self, departements: set[str] | frozenset[str]) -> bool:
        """Writes need the whole change inside the territory, reads only an overlap."""
        return self.departements is None or departements <= self.departements

    def can_read_mandataire(self, mandataire_id: int, departements: set[str], tribunal_ids: set[int]) -> bool:
        if self.role == Role.MANDATAIRE:
            return mandataire_id == self.mandataire_id
        if self.is_judicial and tribunal_ids:
            # A professional restricted to named tribunals is visible to those tribunals only.
            return self.tribunal_id in tribunal_ids
        return self.covers_departements(departements)

    def can_manage_mandataire(self, mandataire_id: int, departements: set[str]) -> bool:
        if self.role == Role.MANDATAIRE:
            return mandataire_id == self.mandataire_id
        return self.role in (Role.ADMIN, Role.AGENT) and self.covers_departements(departements)

    def can_read_mesure(self, mandataire_id: int, tribunal_id: int, tribunal_departement: str) -> bool:
        if self.role == Role.MANDATAIRE:
            return mandataire_id == self.mandataire_id
        if self.is_judicial:
            return tribunal_id == self.tribunal_id
        return self.covers_departements({tribunal_departement})

    def can_write_mesure(self, mandataire_id: int) -> bool:
        return self.role == Role.ADMIN or (self.role == Role.MANDATAIRE and mandataire_id == self.mandataire_id)
