"""Why a sign-in through the provider was refused: a stable code and a French sentence for the person. Both are
sign-in refusals (`app.auth.exceptions.SignInRefused`, whose own cases, an unknown or disabled account, are 403)."""

from app.auth.exceptions import SignInRefused


class ProviderAnswerRefused(SignInRefused):
    """The provider's answer is not the one this sign-in expects (state, nonce, signature, expiry...)."""

    status_code = 400
    default_code = "reponse_fournisseur_invalide"


class ProviderUnavailable(SignInRefused):
    """The provider did not answer, or not as OpenID Connect says: nothing the person can change."""

    status_code = 502
    default_code = "fournisseur_indisponible"

    def __init__(self) -> None:
        super().__init__("Le fournisseur d'identité ne répond pas correctement : réessayez dans quelques minutes.")


def expired_attempt() -> ProviderAnswerRefused:
    return ProviderAnswerRefused(
        "Cette tentative de connexion a expiré ou ne vient pas de ce navigateur : recommencez.", code="etat_invalide"
    )
