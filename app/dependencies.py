"""Dependencies shared by every domain: settings and database sessions, read from the app's state.

Dependencies that only read in-memory state are `async def`: FastAPI then calls them on the event loop instead
of sending each one to the thread pool, a hop that costs more than the work on the hot /match path.

The write-transaction policy of the service is declared here once: every route that writes takes
`WriteSessionDep` (a test checks it, `tests/concurrency/test_write_policy.py`) but a route whose only write is a
record appended after its reads, which takes `SessionDep` and appends in `app.database.write_aside` (`/match`:
its ranking never holds SQLite's write lock), and the app retries a whole request
that PostgreSQL aborted as a deadlock victim (`RetryTransactions`). See `app.database.begin_write`."""

import asyncio
import logging
import random
from collections.abc import AsyncIterator
from typing import Annotated

import anyio
from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import Settings
from app.database import begin_write, is_transient_conflict

logger = logging.getLogger("mjpm.transactions")


async def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's session: committed by the route, rolled back on error, always closed.

    Made on the event loop: a session opens no connection before its first statement. Closed on the event loop too
    when the route left it holding no connection (`/match` closes its own, in its thread), else in the thread pool,
    so that no round trip to the database (the rollback of an open transaction) ever runs on the event loop. As a
    sync dependency it took a thread-pool trip to be made and another to be closed, on every request. The closing
    trip gets its own limiter, as FastAPI's own exits do: a request must be able to give its connection back even
    when every thread of the pool waits for one."""
    session = request.app.state.session_factory()
    try:
        yield session
    except BaseException:
        with anyio.CancelScope(shield=True):
            await _end(session, rollback=True)
        raise
    with anyio.CancelScope(shield=True):
        await _end(session, rollback=False)


async def _end(session: Session, *, rollback: bool) -> None:
    def end() -> None:
        try:
            if rollback:
                session.rollback()
        finally:
            session.close()

    if session.in_transaction():
        await anyio.to_thread.run_sync(end, limiter=anyio.CapacityLimiter(1))
    else:
        end()  # nothing to roll back or give back to the pool: no I/O


def get_write_session(session: Annotated[Session, Depends(get_session)]) -> Session:
    """The request's session (the one authentication used), its transaction begun as a writer: SQLite's write
    lock is taken before the route reads anything, so two writes queue instead of failing. A sync function: the
    wait for the lock happens in the thread pool, never on the event loop."""
    begin_write(session)
    return session


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
WriteSessionDep = Annotated[Session, Depends(get_write_session)]


class RetryTransactions:
    """Replays a whole request whose transaction PostgreSQL aborted as a deadlock victim or serialization failure
    (the other transaction went through; ours changed nothing), at most `attempts` times, before any byte of the
    answer is sent. The body the app read is kept and replayed, so the retry is the same request from the start:
    dependencies, session, service and commit. Locks are taken in one order (`app.registry.load`), so this is a
    safety net, not the rule."""

    def __init__(self, app: ASGIApp, attempts: int = 3) -> None:
        self.app = app
        self.attempts = attempts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        received: list[Message] = []  # what the app read of the request, for a replay
        for attempt in range(1, self.attempts + 1):
            started: list[bool] = []
            attempt_scope = dict(scope)  # routing writes into it: a replay starts from the request as it came
            try:
                await self.app(attempt_scope, _replaying(received, receive), _watching(send, started))
                return
            except Exception as error:
                if started or attempt == self.attempts or not is_transient_conflict(error):
                    raise
                logger.warning("transaction abandonnée par la base (%s), essai %s", type(error).__name__, attempt)
                await asyncio.sleep(random.uniform(0.01, 0.05) * attempt)
            finally:
                # The route the attempt matched, for the access log and the metrics outside (its template).
                if "route" in attempt_scope:
                    scope["route"] = attempt_scope["route"]


def _replaying(received: list[Message], receive: Receive) -> Receive:
    """A `receive` that first gives back the messages already read, then reads (and keeps) the next ones."""
    replay = iter(list(received))

    async def receive_again() -> Message:
        message = next(replay, None)
        if message is None:
            message = await receive()
            received.append(message)
        return message

    return receive_again


def _watching(send: Send, started: list[bool]) -> Send:
    async def send_and_note(message: Message) -> None:
        started.append(True)
        await send(message)

    return send_and_note
