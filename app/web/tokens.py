"""`/jetons-d-acces`: the API tokens page. Every signed-in person creates a personal token there, within their own
role and scope (`POST /jetons`, shown once); admins also list every token and revoke one (`GET /jetons`,
`DELETE /jetons/{id}`). The page calls the API with `jetons.js` (same-origin session cookie, CSRF header)."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.auth.constants import Role
from app.auth.dependencies import PagePrincipal
from app.dependencies import SettingsDep
from app.web.router import ROLE_LABELS, _guard, _render

EVERYONE = frozenset(Role)

router = APIRouter(include_in_schema=False)


@router.get("/jetons-d-acces", response_class=HTMLResponse)
def tokens_page(request: Request, principal: PagePrincipal, settings: SettingsDep) -> Response:
    if (refused := _guard(request, principal, EVERYONE, "Jetons d'accès à l'API")) is not None:
        return refused
    assert principal is not None
    return _render(
        request,
        "jetons.html",
        {
            "principal": principal,
            "administrateur": principal.role == Role.ADMIN,
            "session_web": principal.account_id is not None,
            "duree_max_jours": settings.token_expiry_days,
            "roles": {role.value: label for role, label in ROLE_LABELS.items()},
        },
    )
