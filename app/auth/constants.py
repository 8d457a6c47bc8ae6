from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    AGENT = "agent"
    MAGISTRAT = "magistrat"
    GREFFIER = "greffier"
    MANDATAIRE = "mandataire"


# The role groups, declared once: routes and pages import them (`app.auth.dependencies` declares their checks).
JUDICIAL_ROLES = frozenset({Role.MAGISTRAT, Role.GREFFIER})
# Who designates: the judicial roles, and administrators.
JUDGE_ROLES = JUDICIAL_ROLES | {Role.ADMIN}
# The State's services and administrators: who manage the register and its accounts, read the dashboards, set the
# schéma's targets, simulate and plan transfers.
STATE_ROLES = frozenset({Role.AGENT, Role.ADMIN})
# Who follows a transfer of measures: the State's services and the judges.
STATE_AND_JUDGE_ROLES = STATE_ROLES | JUDGE_ROLES
PROFESSIONAL_ROLES = frozenset({Role.MANDATAIRE})
# A professional, or an administrator acting for one.
PROFESSIONAL_OR_ADMIN_ROLES = PROFESSIONAL_ROLES | {Role.ADMIN}


class AccountState(StrEnum):
    INVITE = "invite"
    ACTIF = "actif"
    DESACTIVE = "desactive"


class Access(StrEnum):
    """What a token may do: `ecriture` every method its role allows, `lecture` GET (and HEAD) only."""

    LECTURE = "lecture"
    ECRITURE = "ecriture"


class AccessAction(StrEnum):
    """The lines of the access journal (`journal_acces`)."""

    CONNEXION = "connexion"
    CONNEXION_REFUSEE = "connexion_refusee"
    DECONNEXION = "deconnexion"
    CREATION = "creation"
    MODIFICATION = "modification"
    INVITATION = "invitation"
    ACTIVATION = "activation"
    DESACTIVATION = "desactivation"
    REACTIVATION = "reactivation"
    JETON_CREE = "jeton_cree"
    JETON_REVOQUE = "jeton_revoque"


# Who opened a web session (`session_compte.fournisseur`).
PROVIDER_DEV = "dev"  # the development sign-in (pick a demo person), refused in production
PROVIDER_INVITATION = "invitation"  # an invitation link, when the development sign-in is on
PROVIDER_OIDC = "oidc"  # OpenID Connect (ProConnect)
