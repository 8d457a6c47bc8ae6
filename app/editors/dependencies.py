"""Who calls the vendor API: the professional (mandataire) a vendor's software acts for, as the vendors' OAuth2
access token names them (`app.vendors.dependencies.EditorCaller`: 401 for a missing, unknown, expired or revoked
token, the vendor's rate limit, the call log). A professional's own API token is not a vendor's: refused (401)."""

from app.vendors.dependencies import EditorCaller
from app.vendors.service import EditorCall as Caller

__all__ = ["Caller", "EditorCaller"]
