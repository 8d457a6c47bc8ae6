from app.errors import Conflict, NotFound


class AccountNotFound(NotFound):
    default_code = "compte_introuvable"


class EmailTaken(Conflict):
    default_code = "email_existant"


class OwnAccount(Conflict):
    """One does not disable one's own account."""

    default_code = "compte_courant"


class AccountNotDisabled(Conflict):
    default_code = "compte_non_desactive"


class AccountNotInvited(Conflict):
    default_code = "compte_non_invite"
