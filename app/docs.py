"""Interactive API documentation (/docs: Swagger UI, /redoc: ReDoc) served with the assets of the installed
`fastapi-offline` package: no CDN (the service runs on networks without internet access), and the pages' own
security headers (CSP, no framing), since people paste their token into /docs. The start-up script of Swagger UI is
a file of its own: the CSP forbids inline scripts."""

from html import escape
from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from app.web.router import SECURITY_HEADERS

ASSETS = Path(fastapi_offline.__file__).parent / "static"
ASSETS_URL = "/docs/assets"

SWAGGER_INIT = """\
window.ui = SwaggerUIBundle({
  url: document.getElementById("swagger-ui").dataset.openapi,
  dom_id: "#swagger-ui",
  deepLinking: true,
  persistAuthorization: false,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
  layout: "BaseLayout",
});
"""

# ReDoc styles its page with styled-components, which writes <style> elements: the one relaxation of the pages'
# policy (styles only; scripts stay 'self').
REDOC_HEADERS = {
    **SECURITY_HEADERS,
    "Content-Security-Policy": SECURITY_HEADERS["Content-Security-Policy"].replace(
        "style-src 'self'", "style-src 'self' 'unsafe-inline'"
    ),
}

router = APIRouter(include_in_schema=False)


def _page(title: str, head: str, body: str, headers: dict[str, str] = SECURITY_HEADERS) -> HTMLResponse:
    html = (
        f'<!DOCTYPE html>\n<html lang="fr">\n<head>\n<meta charset="utf-8">\n<title>{escape(title)}</title>\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<link rel="icon" href="{ASSETS_URL}/favicon.png">\n{head}</head>\n<body>\n{body}</body>\n</html>\n'
    )
    return HTMLResponse(html, headers=headers)


@router.get("/docs")
def swagger_ui(request: Request) -> HTMLResponse:
    return _page(
        f"{request.app.title} – documentation de l'API",
        f'<link rel="stylesheet" href="{ASSETS_URL}/swagger-ui.css">\n',
        f'<div id="swagger-ui" data-openapi="{escape(request.app.openapi_url or "")}"></div>\n'
        f'<script src="{ASSETS_URL}/swagger-ui-bundle.js"></script>\n<script src="/docs/init.js"></script>\n',
    )


@router.get("/docs/init.js")
def swagger_init() -> Response:
    return Response(SWAGGER_INIT, media_type="text/javascript", headers={"Cache-Control": "no-store"})


@router.get("/redoc")
def redoc(request: Request) -> HTMLResponse:
    return _page(
        f"{request.app.title} – documentation de l'API",
        "",
        f'<redoc spec-url="{escape(request.app.openapi_url or "")}"></redoc>\n'
        f'<script src="{ASSETS_URL}/redoc.standalone.js"></script>\n',
        REDOC_HEADERS,
    )


def install_docs(app: FastAPI) -> None:
    """Serve /docs and /redoc (the app is created with `docs_url=None, redoc_url=None`)."""
    app.include_router(router)
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS), name="docs-assets")
