"""`/planification-de-l-offre`: the agents' planning page. A one-year simulation of the current offer of a
territory, the communes where new professionals would do most good (`POST /planification/implantations`), a
scenario built from them in one click and compared with the current offer (`POST
/planification/scenarios/comparaison`). The page calls the API with `planification.js`; nothing is written."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.auth.constants import STATE_ROLES
from app.auth.dependencies import PagePrincipal
from app.geo.dependencies import GazetteerDep
from app.web.router import _guard, _in_scope, _render

router = APIRouter(include_in_schema=False)


@router.get("/planification-de-l-offre", response_class=HTMLResponse)
def planning_page(request: Request, principal: PagePrincipal, gazetteer: GazetteerDep) -> Response:
    if (refused := _guard(request, principal, STATE_ROLES, "Planification de l'offre")) is not None:
        return refused
    assert principal is not None
    departements = [d for code, d in sorted(gazetteer.departements.items()) if _in_scope(principal, code)]
    return _render(
        request,
        "planification.html",
        {
            "principal": principal,
            "departements": departements,
        },
    )
