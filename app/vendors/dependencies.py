"""The dependency of the vendor routes (`/api/editors/*`): a vendor's Bearer access token resolved to the
professional it acts for, the vendor's rate limit counted, and the call marked for the call log."""

import time
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from app.auth.exceptions import NotAuthenticated
from app.database import utcnow
from app.dependencies import SessionDep, SettingsDep
from app.ratelimit.service import count_request
from app.vendors.service import EditorCall, authenticate_access_token

vendor_bearer = HTTPBearer(
    scheme_name="jeton_editeur",
    auto_error=False,
    description="Jeton d'accès OAuth2 d'un éditeur (`POST /api/oauth/token`), valable 24 h",
)
# The key of the call in the request's state (read by `app.vendors.calls.CallLog`).
CALL_STATE = "vendor_call"
RATE_BUCKET = "editeur"


@dataclass
class PendingCall:
    """A vendor's call to log once answered: the request's session writes the log line after the answer."""

    call: EditorCall
    session: Session
    started: float


def editor_caller(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(vendor_bearer)],
) -> EditorCall:
    """401 (French error shape, `WWW-Authenticate: Bearer`) for a missing, unknown, expired or revoked token or a
    disabled vendor; 429 with `Retry-After` past VENDOR_RATE_PER_MINUTE requests of the vendor in the minute, across
    every worker. A sync function: its queries run in the thread pool."""
    if credentials is None:
        raise NotAuthenticated("jeton d'accès manquant : en-tête « Authorization: Bearer <jeton> »")
    call = authenticate_access_token(
        session, secret_key=settings.token_secret.get_secret_value(), token=credentials.credentials, now=utcnow()
    )
    setattr(request.state, CALL_STATE, PendingCall(call, session, time.perf_counter()))
    count_request(
        session,
        bucket=RATE_BUCKET,
        key=call.principal.caller_key,
        per_minute=settings.vendor_rate_per_minute,
        holder="cet éditeur",
    )
    return call


EditorCaller = Annotated[EditorCall, Depends(editor_caller)]
