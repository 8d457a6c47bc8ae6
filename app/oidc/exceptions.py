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


class AlgorithmRefused(ProviderAnswerRefused):
    """The provider signs only with algorithms refused here (symmetric ones, `none`)."""

    default_code = "algorithme_refuse"


class InvalidSignature(ProviderAnswerRefused):
    default_code = "signature_invalide"


class InvalidIdToken(ProviderAnswerRefused):
    """An ID token (or a userinfo answer) missing, unreadable, or whose claims do not hold."""

    default_code = "jeton_invalide"


class IdTokenExpired(ProviderAnswerRefused):
    default_code = "jeton_identite_expire"


class InvalidNonce(ProviderAnswerRefused):
    default_code = "nonce_invalide"


class EmailMissing(ProviderAnswerRefused):
    default_code = "courriel_absent"


class EmailNotVerified(ProviderAnswerRefused):
    default_code = "courriel_non_verifie"


class CodeRefused(ProviderAnswerRefused):
    """The provider refused to exchange the authorization code for tokens."""

    default_code = "code_refuse"


class SignInAbandoned(ProviderAnswerRefused):
    """The person gave up at the provider (access_denied...), or the provider sent back no code."""

    default_code = "abandon"


class InvalidState(ProviderAnswerRefused):
    """A sign-in attempt that expired, or that does not come from this browser."""

    default_code = "etat_invalide"


def expired_attempt() -> InvalidState:
    return InvalidState("Cette tentative de connexion a expiré ou ne vient pas de ce navigateur : recommencez.")
