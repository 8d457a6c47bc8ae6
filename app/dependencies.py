"""Dependencies shared by every domain: settings and database sessions, read from the app's state.

Dependencies that only read in-memory state are `async def`: FastAPI then calls them on the event loop instead
of sending each one to the thread pool, a hop that costs more than the work on the hot /match path."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from app.config import Settings
from app.database import session_scope


async def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_session(request: Request) -> Iterator[Session]:
    yield from session_scope(request.app.state.session_factory)


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
