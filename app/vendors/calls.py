"""The vendors' call log: every answered request authenticated by a vendor's access token (`EditorCaller`) is
written down with the vendor, the professional, the route's template, the method, the status and the duration;
never a payload, a query string or a token (they carry personal data)."""

import logging
import time

from fastapi.concurrency import run_in_threadpool
from starlette.types import Message, Receive, Scope, Send

from app.asgi import HttpMiddleware
from app.database import begin_write, utcnow
from app.vendors.dependencies import CALL_STATE, PendingCall
from app.vendors.service import record_call

logger = logging.getLogger("mjpm.editeurs")


class CallLog(HttpMiddleware):
    """ASGI middleware, outside `ServerErrorGuard` so that it sees the final status (a 500 included). The line is
    written after the answer is sent, in its own short transaction of the request's session (the one the app's
    `get_session` gave, closed and reopened): a failure to log is logged, never turned into an error."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        status = 500

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            pending = scope.get("state", {}).get(CALL_STATE)
            if isinstance(pending, PendingCall):
                route = getattr(scope.get("route"), "path", None) or scope.get("path", "")
                await run_in_threadpool(_write, pending, scope["method"], route, status)


def _write(pending: PendingCall, method: str, route: str, status: int) -> None:
    duration_ms = round((time.perf_counter() - pending.started) * 1000)
    session = pending.session
    try:
        begin_write(session)
        record_call(
            session, call=pending.call, method=method, route=route, status=status, duration_ms=duration_ms, now=utcnow()
        )
        session.commit()
    except Exception:
        session.rollback()
        logger.exception("journal des appels de l'éditeur %s non écrit", pending.call.editor_id)
    finally:
        session.close()
