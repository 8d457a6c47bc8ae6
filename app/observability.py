"""Request ids, one JSON access-log line per request and the request metrics, in one pure ASGI middleware.

Cheap on purpose (it wraps /match): no request object is built, the body is never read, and what is recorded is
bounded: the route's template (`/mandataires/{mandataire_id}`, never the raw path or its query string), the
method, the status and the duration. Nothing personal reaches the log or the metrics.

With several worker processes (`WEB_CONCURRENCY`), `mjpm serve` points `PROMETHEUS_MULTIPROC_DIR` at a scratch
directory before the workers start, so that prometheus_client adds up every worker's counters whichever worker
answers the scrape.
"""

import logging
import re
import time
import uuid
from contextvars import ContextVar
from typing import TextIO

from prometheus_client import Counter, Histogram
from pythonjsonlogger.core import RESERVED_ATTRS
from starlette.types import Message, Receive, Scope, Send

from app.asgi import HttpMiddleware

REQUEST_ID_HEADER = "x-request-id"
# A caller's id is kept when it is short and plain (it ends up in logs); anything else is replaced by a new one.
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
# The id of the request being served, for every log line written while serving it (see RequestIdFilter).
request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
# Label of requests that matched no route (404s of scanners): one series, whatever the path.
UNMATCHED = "<aucune route>"

access_logger = logging.getLogger("mjpm.access")

REQUESTS = Counter("mjpm_http_requests", "Requêtes HTTP servies, par route", ["method", "route", "status"])
LATENCY = Histogram(
    "mjpm_http_request_duration_seconds",
    "Durée des requêtes HTTP, par route",
    ["method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
# Any other method a client invents is counted as "AUTRE" (one series, not one per invention).
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# The labelled children, looked up once (`labels()` costs more than counting).
_SERIES: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}
INDEX_REBUILDS = Counter("mjpm_match_index_rebuilds", "Reconstructions de l'index de recherche des mandataires")


def valid_request_id(value: str | None) -> str:
    """The caller's X-Request-ID when it is safe to log, else a new random one."""
    if value and _VALID_REQUEST_ID.fullmatch(value):
        return value
    return uuid.uuid4().hex


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


class ObservabilityMiddleware(HttpMiddleware):
    """Gives each HTTP request an id (taken from `X-Request-ID` or made, returned in the answer's header, in
    `request.state.request_id` and in every log line), then counts it, times it and logs it once."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        request_id = valid_request_id(_header(scope, b"x-request-id"))
        scope.setdefault("state", {})["request_id"] = request_id
        token = request_id_var.set(request_id)
        status = 500  # unless the app starts an answer: an exception escaped every handler
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            duration = time.perf_counter() - started
            route = scope.get("route")
            template = getattr(route, "path", None) or UNMATCHED
            method = scope["method"] if scope["method"] in _METHODS else "AUTRE"
            series = _SERIES.get((method, template, status))
            if series is None:  # bounded: methods × route templates × statuses
                series = _SERIES[method, template, status] = (
                    REQUESTS.labels(method, template, str(status)),
                    LATENCY.labels(method, template),
                )
            series[0].inc()
            series[1].observe(duration)
            if access_logger.isEnabledFor(logging.INFO):
                access_logger.info(
                    "requête",
                    extra={
                        "method": method,
                        "route": template,
                        "status": status,
                        "duration_ms": round(duration * 1000, 2),
                    },
                )
            request_id_var.reset(token)


class RequestIdFilter(logging.Filter):
    """Adds the id of the request being served (or null) to every log record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


QUIET_LOGGERS = ("apscheduler", "httpx", "alembic.runtime.plugins")


def json_log_handler(stream: TextIO) -> logging.Handler:
    """The one handler of the served application's logs. Python's warnings go through logging too (logger
    `py.warnings`): a library's warning (authlib's deprecation notice at import...) is then a JSON line like the
    others, never a raw line on stderr. Set here because `dictConfig` builds the handler in each worker process."""
    logging.captureWarnings(True)
    return logging.StreamHandler(stream)


def logging_config(level: str = "INFO") -> dict:
    """`logging.config.dictConfig` of the served application: one JSON object per line on stdout, with an ISO
    timestamp, the level, the logger, the message, the request id and the record's extra fields."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(levelname)s %(name)s %(message)s %(request_id)s",
                "rename_fields": {"levelname": "level", "name": "logger"},
                # uvicorn repeats its messages with terminal colours: not for a log collector.
                "reserved_attrs": [*RESERVED_ATTRS, "color_message"],
                "timestamp": True,
                "json_ensure_ascii": False,
            }
        },
        "handlers": {
            "stdout": {
                "()": json_log_handler,
                "stream": "ext://sys.stdout",
                "formatter": "json",
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["stdout"], "level": level},
        # Their INFO lines (each scheduler tick, each outgoing HTTP call, Alembic's plugins set up when the schema's
        # revision is first compared) drown the requests' lines; the scheduled jobs log what they did themselves
        # (`mjpm.scheduler`).
        "loggers": {name: {"level": "WARNING"} for name in QUIET_LOGGERS},
    }
