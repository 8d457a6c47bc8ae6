"""Who is calling and what they may see: pure rules, no FastAPI, no SQLAlchemy.

A resource outside the caller's scope answers 404 (its existence is not disclosed); a route the role may not
use at all answers 403.
"""

from dataclasses import dataclass
from datetime import datetime

from app.auth.constants import JUDICIAL_ROLES, STATE_ROLES, Role


@dataclass(frozen=True, slots=True)
class Principal:
    """A caller: a token (`token_id`) or a person signed in to a web session (`account_id`, no token); a personal
    token carries both; a vendor's software carries `editor_id` only. `expires_at` is when the token or session ends
    (checked even on a cached principal); `read_only` marks a token limited to reading."""

    token_id: int | None
    role: Role
    # Départements the caller's territory covers; None means the whole country.
    departements: frozenset[str] | None
    tribunal_id: int | None = None
    mandataire_id: int | None = None
    account_id: int | None = None
    read_only: bool = False
    expires_at: datetime | None = None
    # A vendor's software acting for the professional (an OAuth2 access token of the vendor API): no token of
    # ours, no account; the vendor is who is counted.
    editor_id: int | None = None

    @property
    def caller_key(self) -> str:
        """Who is counted (rate limits) and keyed (idempotency): the token, else the vendor, else the account."""
        if self.token_id is not None:
            return f"jeton:{self.token_id}"
        if self.editor_id is not None:
            return f"editeur:{self.editor_id}"
        return f"compte:{self.account_id}"

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
        return self.role in STATE_ROLES and self.covers_departements(departements)

    def can_read_mesure(self, mandataire_id: int, tribunal_id: int, tribunal_departement: str) -> bool:
        if self.role == Role.MANDATAIRE:
            return mandataire_id == self.mandataire_id
        if self.is_judicial:
            return tribunal_id == self.tribunal_id
        return self.covers_departements({tribunal_departement})

    def can_write_mesure(self, mandataire_id: int) -> bool:
        return self.role == Role.ADMIN or (self.role == Role.MANDATAIRE and mandataire_id == self.mandataire_id)

    def can_manage_account(self, role: Role, departements: frozenset[str] | None) -> bool:
        """Admins manage every account; agents the professionals' accounts whose record lies (partly) in their
        territory, and the agents' accounts whose territory lies wholly inside theirs (`departements`: the target's
        territory, the professional's départements for a mandataire, None for national); nobody else any.

        An account an agent may not manage is not disclosed to them (404), like a resource outside a scope."""
        if self.role == Role.ADMIN:
            return True
        if self.role != Role.AGENT:
            return False
        if role == Role.MANDATAIRE:
            return departements is not None and self.covers_departements(departements)
        if role == Role.AGENT:
            return self.departements is None or (departements is not None and departements <= self.departements)
        return False
