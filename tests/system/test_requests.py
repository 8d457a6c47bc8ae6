"""Every answer carries a request id (the caller's when it is safe, else a new one), every request is logged once
with its route template and no query string, and large answers are compressed."""

import gzip
import io
import json
import logging
import logging.config
import subprocess
import sys

import pytest

from app.observability import logging_config

SAFE = "f3c1a9e2-7b1d-4c55-9a0e-2d0c1b7a6e11"


@pytest.mark.parametrize("sent", [None, "x" * 65, "a b", "é".encode(), "id;rm", "", "../../etc"])
def test_a_missing_or_unsafe_request_id_is_replaced(client, sent):
    headers = {"X-Request-ID": sent} if sent is not None else {}
    returned = client.get("/healthz", headers=headers).headers["x-request-id"]
    assert returned != sent and len(returned) == 32 and int(returned, 16) >= 0


def test_a_safe_request_id_is_returned_and_logged_once(client, admin, caplog):
    with caplog.at_level(logging.INFO, logger="mjpm.access"):
        response = client.get("/mandataires?nom=Dupont", headers=admin | {"X-Request-ID": SAFE})
    assert response.headers["x-request-id"] == SAFE
    [record] = [r for r in caplog.records if r.name == "mjpm.access"]
    assert (record.method, record.route, record.status) == ("GET", "/mandataires", 200)
    assert record.duration_ms >= 0
    assert "Dupont" not in record.getMessage() and "Dupont" not in str(record.__dict__)


def test_log_lines_are_json_with_a_timestamp_and_the_request_id(client):
    # The configuration `mjpm serve` installs, writing to a buffer; the root logger is put back afterwards.
    config = logging_config()
    config["handlers"]["stdout"]["stream"] = stream = io.StringIO()
    root, scheduler = logging.getLogger(), logging.getLogger("apscheduler")
    saved = root.level, root.handlers[:], scheduler.level
    logging.config.dictConfig(config)
    try:
        client.get("/healthz?jeton=secret", headers={"X-Request-ID": SAFE})
        logging.getLogger("apscheduler.executors.default").info("Job executed successfully")  # each tick
    finally:
        root.handlers[:] = saved[1]
        root.setLevel(saved[0])
        scheduler.setLevel(saved[2])
        logging.captureWarnings(False)
    assert "Job executed" not in stream.getvalue()
    [line] = [line for line in stream.getvalue().splitlines() if '"mjpm.access"' in line]
    entry = json.loads(line)
    assert (entry["request_id"], entry["route"], entry["status"], entry["level"]) == (SAFE, "/healthz", 200, "INFO")
    assert entry["timestamp"].startswith("20") and "secret" not in line


def test_warnings_are_json_log_lines_and_stderr_stays_empty():
    # A fresh process configured as `mjpm serve` configures each worker, then importing the app as uvicorn does
    # (authlib warns at import when httpx2 is missing) and a warning raised while serving.
    code = (
        "import logging.config, warnings\n"
        "from app.observability import logging_config\n"
        "logging.config.dictConfig(logging_config())\n"
        "import app.main\n"
        "warnings.warn('avertissement de test')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert done.stderr == ""
    entries = [json.loads(line) for line in done.stdout.splitlines()]
    assert any(e["logger"] == "py.warnings" and "avertissement de test" in e["message"] for e in entries)


def test_large_answers_are_compressed_small_ones_are_not(client):
    large = client.get("/referentiel/tribunaux", headers={"Accept-Encoding": "gzip"})
    assert large.status_code == 200
    assert large.headers["content-encoding"] == "gzip"
    assert int(large.headers["content-length"]) < len(large.content) / 3  # httpx decoded it for us
    small = client.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in small.headers
    assert gzip.compress(small.content)  # the body arrived as plain JSON
