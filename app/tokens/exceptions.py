from app.errors import InvalidInput, NotFound


class ExpiryPassed(InvalidInput):
    default_code = "expiration_passee"


class ExpiryOutOfBounds(InvalidInput):
    default_code = "expiration_invalide"


class UnknownToken(InvalidInput):
    default_code = "jeton_inconnu"


class TokenNotFound(NotFound):
    default_code = "jeton_introuvable"
