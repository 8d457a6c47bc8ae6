"""Naming a tribunal: a SIRET or a Ministry code, resolved by one function with one error (`tribunal_inconnu`)."""

from collections.abc import Callable, Sequence
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.geo.exceptions import UnknownTribunal
from app.geo.gazetteer import Gazetteer
from app.geo.models import Tribunal

T = TypeVar("T")


def find_tribunal(gazetteer: Gazetteer, key: str, loc: Sequence[str | int], by_code: Callable[[str], T | None]) -> T:
    """What `by_code` holds for the tribunal named by `key` (a table row, an in-memory index entry...).

    Raises UnknownTribunal when the reference list does not know `key` or `by_code` has nothing for it."""
    entry = gazetteer.tribunal(key)
    found = by_code(entry.code) if entry is not None else None
    if found is None:
        raise UnknownTribunal(key, loc=loc)
    return found


def resolve_tribunal(session: Session, gazetteer: Gazetteer, key: str, loc: Sequence[str | int]) -> Tribunal:
    """The row of the tribunal table named by `key`."""
    return find_tribunal(
        gazetteer, key, loc, lambda code: session.scalar(select(Tribunal).where(Tribunal.code == code))
    )
