"""Typed business errors with stable codes and French messages, mapped to HTTP in one place.

Every error body has the shape FastAPI uses for validation errors, so clients parse one format:
`{"detail": [{"type": <stable code>, "loc": [...], "msg": <French message>}]}`.
"""

from collections.abc import Sequence

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError


class DomainError(Exception):
    status_code = 400
    default_code = "requete_invalide"

    def __init__(self, message: str, *, code: str | None = None, loc: Sequence[str | int] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.loc = list(loc)

    def as_detail(self) -> dict:
        return {"type": self.code, "loc": self.loc, "msg": self.message}


class InvalidInput(DomainError):
    status_code = 422
    default_code = "valeur_invalide"


class NotFound(DomainError):
    status_code = 404
    default_code = "introuvable"


class Conflict(DomainError):
    status_code = 409
    default_code = "conflit"


class Unavailable(DomainError):
    status_code = 503
    default_code = "indisponible"


ERROR_RESPONSE_SCHEMA = {
    "description": "Erreur métier",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {
                    "detail": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "type": {"type": "string"},
                                "loc": {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
                                "msg": {"type": "string"},
                            },
                            "required": ["type", "loc", "msg"],
                        },
                    }
                },
            }
        }
    },
}


def error_responses(*status_codes: int) -> dict[int | str, dict]:
    """OpenAPI `responses` entry so clients see the business errors of a route in the contract."""
    return {code: ERROR_RESPONSE_SCHEMA for code in status_codes}


async def _domain_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    return JSONResponse(status_code=exc.status_code, content={"detail": [exc.as_detail()]})


async def _stale_version_handler(_request: Request, _exc: Exception) -> JSONResponse:
    # A concurrent writer changed the row between our read and our write (ORM version counter).
    error = Conflict("la fiche a été modifiée entre-temps : relisez-la puis recommencez", code="version_perimee")
    return JSONResponse(status_code=409, content={"detail": [error.as_detail()]})


async def _integrity_handler(_request: Request, _exc: Exception) -> JSONResponse:
    # Uniqueness is checked before writing; this only catches a concurrent request that won the race.
    error = Conflict("une autre requête a enregistré la même donnée au même moment", code="conflit_concurrent")
    return JSONResponse(status_code=409, content={"detail": [error.as_detail()]})


async def _validation_handler(_request: Request, exc: Exception) -> JSONResponse:
    # Same shape as business errors; the submitted values are not echoed back (they may be personal data).
    assert isinstance(exc, RequestValidationError)
    detail = [
        {"type": error["type"], "loc": list(error["loc"]), "msg": error["msg"].removeprefix("Value error, ")}
        for error in exc.errors()
    ]
    return JSONResponse(status_code=422, content={"detail": detail})


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error_handler)
    app.add_exception_handler(RequestValidationError, _validation_handler)
    app.add_exception_handler(StaleDataError, _stale_version_handler)
    app.add_exception_handler(IntegrityError, _integrity_handler)
