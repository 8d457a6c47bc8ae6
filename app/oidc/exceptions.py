"""Why a sign-in through the provider was refused: a stable code and a French sentence for the person."""

from dataclasses import dataclass


@dataclass
class SignInRefused(Exception):
    code: str
    message: str
    # 400: the answer that came back is not the one this sign-in expects; 502: the provider failed us.
    status_code: int = 400

    def __str__(self) -> str:
        return self.code


def expired_attempt() -> SignInRefused:
    return SignInRefused("etat_invalide", "Cette tentative de connexion a expiré ou ne vient pas de ce navigateur.")
