"""The people of the sign-in tests: their accounts in the service, matching what the test provider knows of them
(tests/oidc_provider.py PEOPLE): a Lille judge, a professional (white-listed by the SIRET of their record), a
Hauts-de-France agent and a disabled account."""

from app.auth.constants import AccountState, Role
from app.auth.models import Account
from app.auth.principal import Principal
from app.registry import service
from app.registry.schemas import MandataireCreate
from tests.registry.factories import mandataire_body
from tests.support import new_account

LILLE = "17590111500709"
SIRET = "12345678200010"  # the professional's record; the provider sends it as "123 456 782 00010"
# name -> (e-mail, role, scope, the page the role lands on)
PEOPLE = {
    "juge": ("juge@justice.test", Role.MAGISTRAT, {"tribunal": LILLE}, "/juge"),
    "mandataire": ("mandataire@exemple.test", Role.MANDATAIRE, {"mandataire_id": "A"}, "/espace-professionnel"),
    "agent": ("agent@dreets.test", Role.AGENT, {"region": "32"}, "/tableaux-de-bord"),
    "desactive": ("desactive@exemple.test", Role.AGENT, {}, None),
}


def add_accounts(session, gazetteer) -> dict[str, Account]:
    """The professional's record and every person's account, committed."""
    mandataire = service.create_mandataire(
        session,
        principal=Principal(token_id=None, role=Role.ADMIN, departements=None),
        gazetteer=gazetteer,
        payload=MandataireCreate(**mandataire_body(siret=SIRET)),
    )
    accounts = {}
    for name, (email, role, scope, _home) in PEOPLE.items():
        scope = {k: mandataire.id if v == "A" else v for k, v in scope.items()}
        etat = AccountState.DESACTIVE if name == "desactive" else AccountState.ACTIF
        accounts[name] = new_account(session, gazetteer, role, email=email, etat=etat, nom=name.capitalize(), **scope)
    session.commit()
    return accounts
