"""Typed business errors with stable codes and French messages, mapped to HTTP in one place.

Every error body has the shape FastAPI uses for validation errors, so clients parse one format:
`{"detail": [{"type": <stable code>, "loc": [...], "msg": <French message>}]}`. That holds for business errors,
validation errors (pydantic's stable `type` codes, with French messages from `PYDANTIC_MESSAGES`), unknown
routes and methods, and unexpected errors (500, rendered by `ServerErrorGuard` with a request reference).
"""

import logging
import traceback
import uuid
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, get_args

from pydantic import BaseModel
from pydantic_core import ErrorDetails, core_schema
from sqlalchemy.exc import DBAPIError, IntegrityError, StatementError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.asgi import HttpMiddleware

if TYPE_CHECKING:
    from fastapi import FastAPI

# FastAPI itself is imported by the functions that install and run the handlers: the command line and the scheduler
# raise these errors without serving HTTP, and importing FastAPI costs each of their processes about half a second
# on a busy machine (Starlette's request and response, the same classes, are light).

logger = logging.getLogger("app.errors")


class DomainError(Exception):
    status_code = 400
    default_code = "requete_invalide"

    def __init__(self, message: str, *, code: str | None = None, loc: Sequence[str | int] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.loc = list(loc)

    @property
    def headers(self) -> dict[str, str]:
        """HTTP headers the answer carries (WWW-Authenticate, Retry-After...)."""
        return {}

    def as_detail(self) -> dict:
        return {"type": self.code, "loc": self.loc, "msg": self.message}

    def content(self) -> dict:
        """The JSON body. An error that reports more (a rejected batch: every item and its report) extends it."""
        return error_body(self)


class InvalidInput(DomainError):
    status_code = 422
    default_code = "valeur_invalide"


class NotFound(DomainError):
    status_code = 404
    default_code = "introuvable"


class Conflict(DomainError):
    status_code = 409
    default_code = "conflit"


class MissingField(InvalidInput):
    """A field optional in the schema but required in this case (the message names it and when)."""

    default_code = "champ_obligatoire"


class InvalidPeriod(InvalidInput):
    default_code = "periode_invalide"


class PeriodTooLong(InvalidInput):
    default_code = "periode_trop_longue"


class StaleRow(Conflict):
    """A row changed since the caller read it: a version sent that is no longer the row's, or a concurrent writer
    that changed it between our read and our write."""

    default_code = "version_perimee"


class ConcurrentWrite(Conflict):
    """Another request wrote the same data at the same moment (it won the race)."""

    default_code = "conflit_concurrent"


class PayloadTooLarge(DomainError):
    status_code = 413
    default_code = "requete_trop_volumineuse"


class Unavailable(DomainError):
    status_code = 503
    default_code = "indisponible"


def error_body(*errors: DomainError) -> dict:
    return {"detail": [error.as_detail() for error in errors]}


def size_text(limit: int) -> str:
    """A byte limit as a person reads it (« 5 Mo », « 512 ko »)."""
    return f"{limit / 1048576:.0f} Mo" if limit >= 1048576 else f"{limit / 1024:.0f} ko"


# --- pydantic's validation errors, in French ---------------------------------------------------------------------

PYDANTIC_ERROR_TYPES = frozenset(get_args(core_schema.ErrorType))
# pydantic error type -> French message template (placeholders from the error's `ctx`). The `type` codes stay
# pydantic's: they are stable and documented; only the words a person reads change. A type missing here falls
# back to « valeur invalide ».
PYDANTIC_MESSAGES = {
    "missing": "champ obligatoire",
    "extra_forbidden": "champ inconnu",
    "json_type": "JSON attendu",
    "model_type": "objet JSON attendu",
    "model_attributes_type": "objet JSON attendu",
    "dict_type": "objet JSON attendu",
    "list_type": "liste attendue",
    "tuple_type": "liste attendue",
    "set_type": "liste attendue",
    "string_type": "texte attendu",
    "string_unicode": "texte Unicode attendu",
    "string_too_short": "trop court ({min_length} caractère(s) au moins)",
    "string_too_long": "trop long ({max_length} caractères au plus)",
    "string_pattern_mismatch": "format invalide",
    "too_short": "trop peu d'éléments ({min_length} au moins)",
    "too_long": "trop d'éléments ({max_length} au plus)",
    "bool_type": "booléen attendu (true ou false)",
    "bool_parsing": "booléen attendu (true ou false)",
    "int_type": "nombre entier attendu",
    "int_parsing": "nombre entier attendu",
    "int_parsing_size": "nombre entier trop grand",
    "int_from_float": "nombre entier attendu",
    "float_type": "nombre attendu",
    "float_parsing": "nombre attendu",
    "finite_number": "nombre fini attendu",
    "greater_than": "doit être supérieur à {gt}",
    "greater_than_equal": "doit être supérieur ou égal à {ge}",
    "less_than": "doit être inférieur à {lt}",
    "less_than_equal": "doit être inférieur ou égal à {le}",
    "multiple_of": "doit être un multiple de {multiple_of}",
    "literal_error": "valeur inconnue (valeurs admises : {expected})",
    "enum": "valeur inconnue (valeurs admises : {expected})",
    "date_type": "date attendue (AAAA-MM-JJ)",
    "date_parsing": "date invalide (AAAA-MM-JJ attendu)",
    "date_from_datetime_parsing": "date invalide (AAAA-MM-JJ attendu)",
    "date_from_datetime_inexact": "date attendue, sans heure",
    "datetime_type": "date et heure attendues (ISO 8601)",
    "datetime_parsing": "date et heure invalides (ISO 8601 attendu)",
    "datetime_from_date_parsing": "date et heure invalides (ISO 8601 attendu)",
    "url_type": "adresse web attendue",
    "url_parsing": "adresse web invalide",
    "url_scheme": "adresse web invalide (schémas admis : {expected_schemes})",
    "uuid_type": "UUID attendu",
    "uuid_parsing": "UUID invalide",
    "none_required": "doit être null",
    "union_tag_invalid": "valeur inconnue",
    "union_tag_not_found": "champ discriminant manquant",
}


def french_message(error: ErrorDetails | Mapping[str, Any]) -> str:
    """The French message of one pydantic error. Our own validators already speak French: their text is kept
    (a ValueError's `Value error, ` prefix removed; PydanticCustomError types are ours)."""
    kind = error["type"]
    if kind in ("value_error", "assertion_error"):
        return error["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if kind == "json_invalid":
        position = error["loc"][-1] if error["loc"] and isinstance(error["loc"][-1], int) else None
        return "JSON illisible" + (f" à la position {position} du corps" if position is not None else "")
    template = PYDANTIC_MESSAGES.get(kind)
    if template is None:
        # Our own error types (PydanticCustomError, app/types.py) carry French text; pydantic's untranslated do not.
        return "valeur invalide" if kind in PYDANTIC_ERROR_TYPES else error["msg"]
    try:
        return template.format(**{name: _french_value(value) for name, value in error.get("ctx", {}).items()})
    except (KeyError, IndexError, ValueError):
        return template


def _french_value(value: Any) -> Any:
    """A bound of a float field as a person writes it: 0 rather than 0.0, 0,5 rather than 0.5; the values an enum
    or a literal admits joined with « ou » (pydantic writes "'a', 'b' or 'c'")."""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value).replace(".", ",")
    if isinstance(value, str):
        return value.replace("' or '", "' ou '")
    return value


def validation_detail(errors: Sequence[ErrorDetails | Mapping[str, Any]]) -> list[dict]:
    """pydantic errors in the one error shape; the submitted values are not echoed (they may be personal data)."""
    return [{"type": e["type"], "loc": list(e["loc"]), "msg": french_message(e)} for e in errors]


# --- the OpenAPI side -------------------------------------------------------------------------------------------


class ErrorItem(BaseModel):
    type: str
    loc: list[str | int]
    msg: str


class ErrorBody(BaseModel):
    detail: list[ErrorItem]


ERROR_DESCRIPTIONS = {
    400: "Requête invalide",
    401: "Non authentifié (en-tête WWW-Authenticate: Bearer)",
    403: "Accès refusé",
    404: "Introuvable",
    405: "Méthode non prise en charge",
    409: "Conflit",
    413: "Requête trop volumineuse",
    415: "Type de contenu non pris en charge",
    422: "Données invalides",
    429: "Trop de requêtes (en-tête Retry-After)",
    500: "Erreur interne (le message donne la référence de la requête)",
    503: "Service indisponible",
}
# Answers any operation may give: a body too large, input refused at the edge, an unexpected error.
COMMON_ERRORS = (413, 422, 500)


def error_responses(*status_codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entry so clients see the errors of a route in the contract."""
    return {code: {"model": ErrorBody, "description": ERROR_DESCRIPTIONS.get(code, "Erreur")} for code in status_codes}


# --- handlers ---------------------------------------------------------------------------------------------------


def _json_error(status_code: int, *errors: DomainError, headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse(status_code=status_code, content=error_body(*errors), headers=dict(headers or {}))


async def _domain_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    return JSONResponse(status_code=exc.status_code, content=exc.content(), headers=exc.headers)


async def _stale_version_handler(_request: Request, _exc: Exception) -> JSONResponse:
    # A concurrent writer changed the row between our read and our write (ORM version counter).
    error = StaleRow("la fiche a été modifiée entre-temps : relisez-la puis recommencez")
    return _json_error(409, error)


async def _integrity_handler(_request: Request, _exc: Exception) -> JSONResponse:
    # Uniqueness is checked before writing; this only catches a concurrent request that won the race.
    error = ConcurrentWrite("une autre requête a enregistré la même donnée au même moment")
    return _json_error(409, error)


async def _validation_handler(_request: Request, exc: Exception) -> JSONResponse:
    from fastapi.exceptions import RequestValidationError

    assert isinstance(exc, RequestValidationError)
    return JSONResponse(status_code=422, content={"detail": validation_detail(exc.errors())})


async def _http_error_handler(request: Request, exc: Exception) -> JSONResponse:
    """Starlette's own answers (unknown route, method not allowed...) in the one error shape."""
    assert isinstance(exc, HTTPException)
    if isinstance(exc, BodyTooLarge):
        return _json_error(413, exc.error)
    error: DomainError
    if exc.status_code == 404:
        error = NotFound(f"aucune ressource à l'adresse {request.url.path}", loc=["path"])
    elif exc.status_code == 405:
        error = DomainError(f"méthode {request.method} non prise en charge à cette adresse", code="methode_non_permise")
    elif exc.status_code == 400 and exc.__cause__ is not None:
        # FastAPI could not read the body at all (not UTF-8, for one): the same answer as malformed JSON.
        return _json_error(
            422, InvalidInput("corps illisible : JSON en UTF-8 attendu", code="json_invalid", loc=["body"])
        )
    else:
        error = DomainError(str(exc.detail))  # requete_invalide, its default code
    return _json_error(exc.status_code, error, headers=exc.headers)


def install_error_handlers(app: "FastAPI") -> None:
    from fastapi.exceptions import RequestValidationError

    app.add_exception_handler(DomainError, _domain_error_handler)
    app.add_exception_handler(RequestValidationError, _validation_handler)
    app.add_exception_handler(StaleDataError, _stale_version_handler)
    app.add_exception_handler(IntegrityError, _integrity_handler)
    app.add_exception_handler(HTTPException, _http_error_handler)


# --- unexpected errors ------------------------------------------------------------------------------------------


def request_id(scope: Scope) -> str:
    """The request's reference, shared with whatever else logs it (kept in the scope's state)."""
    state = scope.setdefault("state", {})
    if "request_id" not in state:
        state["request_id"] = uuid.uuid4().hex
    return state["request_id"]


def describe_failure(exc: BaseException) -> str:
    """What the log says about an unexpected error: its type, its statement for a database error, never the bound
    parameter values nor the database's message (both may carry personal data: RG number, postcode...)."""
    if isinstance(exc, StatementError):
        original = exc.orig
        code = getattr(getattr(original, "diag", None), "sqlstate", None) or getattr(original, "sqlstate", None)
        origin = f"{type(original).__module__}.{type(original).__name__}" if original is not None else "?"
        kind = "DBAPIError" if isinstance(exc, DBAPIError) else type(exc).__name__
        return f"{kind} ({origin}, SQLSTATE {code or '?'}) sur : {' '.join(str(exc.statement or '').split())}"
    return f"{type(exc).__module__}.{type(exc).__name__}"


class ServerErrorGuard(HttpMiddleware):
    """Any unexpected exception becomes a 500 in the one error shape, with the request's reference (its
    `X-Request-ID`) in the message; the log gets the reference, the route, the error's
    type and the stack (file, line, code), never a value the request carried. The exception is not re-raised:
    the server would log it again, message and all."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def send_tracking(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, send_tracking)
        except Exception as exc:
            reference = request_id(scope)
            stack = "".join(traceback.format_list(traceback.extract_tb(exc.__traceback__)))
            logger.error(
                "erreur interne %s sur %s %s : %s\n%s",
                reference,
                scope.get("method"),
                scope.get("path"),
                describe_failure(exc),
                stack,
            )
            if started:
                return
            error = DomainError(
                f"erreur interne du service : elle est enregistrée sous la référence {reference}",
                code="erreur_interne",
            )
            response = _json_error(500, error)  # X-Request-ID: added by the observability middleware
            await response(scope, receive, send)


class BodyTooLarge(HTTPException):
    """Raised while the body is read: an HTTPException, because FastAPI turns any other error raised there into
    a 400; rendered with the business error it carries."""

    def __init__(self, error: PayloadTooLarge) -> None:
        super().__init__(status_code=413)
        self.error = error


class BodyLimit(HttpMiddleware):
    """The size limit of every request body, checked before and while the body is read: a declared length
    beyond it is answered at once, a streamed body is cut as soon as it passes it (413 in the one error shape).
    `limits` gives a route path its own, larger limit (bulk uploads and imports)."""

    def __init__(self, app: ASGIApp, default: int, limits: Mapping[str, int]) -> None:
        super().__init__(app)
        self.default = default
        self.limits = dict(limits)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self.limits.get(scope["path"], self.default)
        too_large = PayloadTooLarge(f"requête de plus de {size_text(limit)} : découpez l'envoi", loc=["body"])
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await _json_error(413, too_large)(scope, receive, send)
            return
        received = 0

        async def receive_within() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise BodyTooLarge(too_large)
            return message

        await self.app(scope, receive_within, send)
