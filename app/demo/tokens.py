"""The demo's tokens: one per role, for the Hauts-de-France register (what `mjpm demo` writes to a file)."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.constants import Role
from app.demo.accounts import DEMO_TRIBUNAL
from app.geo.gazetteer import Gazetteer
from app.registry.constants import MandataireStatut, MandataireType
from app.registry.models import Mandataire, MandataireDepartement
from app.tokens.service import issue_token


def demo_tokens(session: Session, *, secret: str, gazetteer: Gazetteer) -> list[str]:
    """Create the tokens and return the lines of the tokens file: a header, then role, scope and token."""
    mandataire = session.scalar(
        select(Mandataire.id)
        .join(MandataireDepartement)
        .where(
            MandataireDepartement.departement == "59",
            Mandataire.type == MandataireType.INDIVIDUEL,
            Mandataire.statut == MandataireStatut.ACTIF,
        )
        .order_by(Mandataire.id)
        .limit(1)
    )
    roles: list[tuple[str, dict[str, Any]]] = [
        ("admin", {}),
        ("agent", {"region": "32"}),
        ("agent", {"departement": "59"}),
        ("magistrat", {"tribunal": DEMO_TRIBUNAL}),
        ("greffier", {"tribunal": DEMO_TRIBUNAL}),
        ("mandataire", {"mandataire_id": mandataire}),
    ]
    lines = ["# rôle\tpérimètre\tjeton (en-tête : Authorization: Bearer <jeton>)"]
    for role, scope in roles:
        if role == "mandataire" and mandataire is None:
            continue
        token, _ = issue_token(
            session, secret=secret, gazetteer=gazetteer, role=Role(role), nom=f"démo {role}", **scope
        )
        label = ", ".join(f"{key}={value}" for key, value in scope.items()) or "national"
        lines.append(f"{role}\t{label}\t{token}")
    return lines
