"""The vendor API answers its refusals in e-MJPM's shape (`{"errors": [...]}`, or `antenneErrors` / `tiErrors`
for a batch), which e-MJPM's clients parse: not this service's `{"detail": [...]}`."""

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse


class EditorRefusal(Exception):
    """A refused vendor request: nothing is written (the write transaction is rolled back)."""

    def __init__(self, errors: list[dict[str, Any]], *, status_code: int = 422, key: str = "errors") -> None:
        super().__init__(f"{status_code} {key}")
        self.status_code, self.key, self.errors = status_code, key, errors


def refusal(message: str, **fields: Any) -> dict[str, Any]:
    """One error of e-MJPM's shape: `msg`, with `location`, `param`, `value` when there is a field to name."""
    return {"msg": message, **fields}


async def editor_refusal_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, EditorRefusal)
    return JSONResponse({exc.key: exc.errors}, status_code=exc.status_code)
