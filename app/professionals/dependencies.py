"""Dependencies of the professionals' routes."""

from collections.abc import Awaitable, Callable

from fastapi import Request

from app.professionals.exceptions import UnsupportedMediaType


def media_type(expected: str) -> Callable[[Request], Awaitable[None]]:
    """Dependency: the request's body must be of the `expected` media type (415 otherwise, before its
    validation)."""

    async def check(request: Request) -> None:
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media != expected:
            raise UnsupportedMediaType(
                f"type de contenu {media or 'absent'} : cette route attend {expected}", loc=["header", "content-type"]
            )

    return check
