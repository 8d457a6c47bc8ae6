import json

from app.cli import OPENAPI_PATH, openapi_document


def test_committed_openapi_matches_the_code():
    committed = json.loads(OPENAPI_PATH.read_text(encoding="utf-8"))
    generated = json.loads(openapi_document())
    assert committed == generated, "openapi/openapi.json is stale: run ./scripts/openapi"


def test_operation_ids_are_unique_and_readable():
    document = json.loads(openapi_document())
    ids = [op["operationId"] for path in document["paths"].values() for op in path.values()]
    assert len(ids) == len(set(ids))
    assert "search_communes" in ids
