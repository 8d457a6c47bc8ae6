"""The demo people: one account per role (two professionals: an individual and a service), active, for the
development sign-in of `/connexion` (`mjpm demo`, `./scripts/run`). Synthetic names; addresses of a reserved
domain (`.invalid`, RFC 2606) so that no e-mail ever leaves."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.constants import AccountState, Role
from app.auth.models import Account
from app.database import utcnow
from app.geo.gazetteer import Gazetteer
from app.registry.constants import MandataireStatut, MandataireType
from app.registry.models import Mandataire, MandataireDepartement
from app.tokens.service import check_scope

DEMO_TRIBUNAL = "17590111500709"  # Tribunal judiciaire de Lille
DEMO_DOMAIN = "demo.mjpm-match.invalid"


def _professional(session: Session, kind: MandataireType) -> int | None:
    return session.scalar(
        select(Mandataire.id)
        .join(MandataireDepartement)
        .where(
            MandataireDepartement.departement == "59",
            Mandataire.type == kind,
            Mandataire.statut == MandataireStatut.ACTIF,
        )
        .order_by(Mandataire.id)
        .limit(1)
    )


def demo_accounts(session: Session, *, gazetteer: Gazetteer) -> list[Account]:
    """Create the demo people that do not exist yet (by e-mail); returns every demo account."""
    individuel, service = (_professional(session, kind) for kind in (MandataireType.INDIVIDUEL, MandataireType.SERVICE))
    people: list[tuple[str, str, str, Role, dict[str, Any]]] = [
        ("juge", "Camille", "Juge", Role.MAGISTRAT, {"tribunal": DEMO_TRIBUNAL}),
        ("greffier", "Dominique", "Greffier", Role.GREFFIER, {"tribunal": DEMO_TRIBUNAL}),
        ("mandataire", "Alex", "Mandataire", Role.MANDATAIRE, {"mandataire_id": individuel}),
        ("service", "Sacha", "Service", Role.MANDATAIRE, {"mandataire_id": service}),
        ("agent", "Claude", "Agent", Role.AGENT, {"region": "32"}),
        ("admin", "Morgan", "Administrateur", Role.ADMIN, {}),
    ]
    accounts = []
    now = utcnow()
    for local, prenom, nom, role, scope in people:
        if role == Role.MANDATAIRE and scope["mandataire_id"] is None:
            continue
        email = f"{local}@{DEMO_DOMAIN}"
        account = session.scalar(select(Account).where(Account.email == email))
        if account is None:
            checked = check_scope(session, gazetteer, role=role, **scope)
            account = Account(
                email=email,
                nom=nom,
                prenom=prenom,
                role=role.value,
                tribunal_id=checked.tribunal_id,
                departement=checked.departement,
                region=checked.region,
                mandataire_id=checked.mandataire_id,
                siret=checked.siret,
                etat=AccountState.ACTIF,
                created_at=now,
                updated_at=now,
            )
            session.add(account)
        accounts.append(account)
    session.flush()
    return accounts
