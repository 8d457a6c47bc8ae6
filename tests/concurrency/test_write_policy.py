"""One write-transaction policy: every route that may change the database takes `WriteSessionDep` (SQLite's write
lock before the first read); the routes that do not write are listed here with the reason, and take no lock, as do
the routes that only append a record after their reads, in a short write of their own (`write_aside`)."""

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from app.config import Settings
from app.dependencies import get_write_session
from app.main import create_app

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

# (method, path) -> why this route changes nothing in the database although its method could.
READ_ONLY = {
    ("POST", "/match/explain"): "recomputes a stored shortlist, stores nothing",
    ("POST", "/referentiel/localiser"): "reference geography, in memory",
    ("POST", "/planification/simulations"): "simulates in memory over a snapshot of the registry",
    ("POST", "/planification/implantations"): "proposes and simulates in memory, the registry unchanged",
    ("POST", "/planification/scenarios/comparaison"): "simulates a scenario in memory, the registry unchanged",
}

# (method, path) -> what the route appends through `write_aside`, after reads that need no write lock.
WRITES_ASIDE = {
    ("POST", "/match"): "the audit record of the shortlist, an insert that depends on no row it read",
}


def _calls(dependant: Dependant) -> set:
    calls = {dependant.call}
    for sub in dependant.dependencies:
        calls |= _calls(sub)
    return calls


def _routes() -> dict[tuple[str, str], APIRoute]:
    app = create_app(Settings(environment="test"))
    return {
        (method, context.path): context.original_route
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, APIRoute)
        for method in context.methods
    }


def test_every_writing_route_takes_the_write_session():
    routes = _routes()
    writers = {key for key in routes if key[0] in WRITE_METHODS} - set(READ_ONLY) - set(WRITES_ASIDE)
    assert len(writers) >= 20  # the registry, professionals, matching and designation writers at least
    missing = sorted(key for key in writers if get_write_session not in _calls(routes[key].dependant))
    assert missing == [], f"routes qui écrivent sans WriteSessionDep : {missing}"


def test_read_routes_take_no_write_lock():
    routes = _routes()
    assert set(READ_ONLY) | set(WRITES_ASIDE) <= set(routes), "an exception names a route that no longer exists"
    readers = {key for key in routes if key[0] not in WRITE_METHODS} | set(READ_ONLY) | set(WRITES_ASIDE)
    locking = sorted(key for key in readers if get_write_session in _calls(routes[key].dependant))
    assert locking == [], f"routes de lecture qui prennent le verrou d'écriture : {locking}"
