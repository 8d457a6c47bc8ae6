"""What is shipped: a wheel built from this tree, installed into a fresh virtual environment, migrates a database
and serves with several workers; the lock files pin every dependency pyproject.toml declares."""

import os
import re
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import tomllib
import venv
from pathlib import Path

import httpx
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def declared(*extras: str) -> set[str]:
    requirements = [*PYPROJECT["project"]["dependencies"], *PYPROJECT["build-system"]["requires"]]
    for extra in extras:
        requirements += PYPROJECT["project"]["optional-dependencies"][extra]
    return {canonicalize_name(Requirement(line).name) for line in requirements}


def pinned(lock: str) -> dict[str, str]:
    text = (ROOT / lock).read_text()
    return {canonicalize_name(name): version for name, version in re.findall(r"^([A-Za-z0-9._-]+)==(\S+)", text, re.M)}


@pytest.mark.parametrize(("lock", "extras"), [("requirements.lock", ()), ("requirements-test.lock", ("test",))])
def test_the_lock_files_pin_every_declared_dependency(lock, extras):
    missing = declared(*extras) - set(pinned(lock))
    assert not missing, f"{lock} misses {sorted(missing)}: run ./scripts/lock"


def test_the_test_lock_pins_the_service_like_the_service_lock():
    service, test = pinned("requirements.lock"), pinned("requirements-test.lock")
    assert {name: test.get(name) for name in service} == service


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_installed_wheel_migrates_and_serves(tmp_path):
    # Build from a copy, so that nothing left in the working tree (build/, stale files) reaches the wheel.
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "app", source / "app", ignore=shutil.ignore_patterns("__pycache__"))
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", tmp_path / "dist", source], check=True)
    [wheel] = (tmp_path / "dist").glob("mjpm_match-*.whl")

    # A fresh environment holding only the wheel; its dependencies come from this interpreter's site-packages
    # (added as plain paths: the editable install of the working tree there is not activated).
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    site = (
        subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], check=True, capture_output=True
        )
        .stdout.decode()
        .strip()
    )
    paths = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    Path(site, "dependencies.pth").write_text("\n".join(paths) + "\n")
    # --ignore-installed: the working tree's own mjpm-match, seen through those paths, must not satisfy it.
    subprocess.run(
        [*pip, "--python", python, "install", "--no-deps", "--no-index", "--ignore-installed", wheel], check=True
    )

    environment = {key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "MJPM_"))}
    environment |= {"DATABASE_URL": f"sqlite:///{tmp_path / 'mjpm.db'}", "ENVIRONMENT": "test"}
    run = {"cwd": tmp_path, "env": environment, "capture_output": True, "text": True}
    where = subprocess.run([python, "-c", "import app; print(app.__file__)"], check=True, **run).stdout
    assert where.startswith(site), where
    upgrade = subprocess.run([env_dir / "bin" / "mjpm", "db", "upgrade"], **run)
    assert upgrade.returncode == 0, upgrade.stderr
    assert "base à jour" in upgrade.stdout

    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [env_dir / "bin" / "mjpm", "serve", "--port", str(port)],
        cwd=tmp_path,
        env=environment | {"WEB_CONCURRENCY": "2"},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180  # two workers loading the geography on a busy machine
        ready = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                ready = httpx.get(f"{base}/readyz", timeout=5)
                break
            except httpx.TransportError:
                time.sleep(0.5)
        assert ready is not None and ready.status_code == 200, (
            ready and ready.text,
            (tmp_path / "serve.log").read_text(),
        )
        for number in range(20):
            with httpx.Client() as client:  # a new connection each time, so that both workers answer some
                answer = client.get(f"{base}/healthz", headers={"X-Request-ID": f"paquet-{number}"})
            assert answer.headers["x-request-id"] == f"paquet-{number}"
        # Proxy headers are believed from FORWARDED_ALLOW_IPS (127.0.0.1 by default): the redirect keeps https.
        redirect = httpx.get(f"{base}/mandataires/", headers={"X-Forwarded-Proto": "https"}, timeout=10)
        assert redirect.status_code == 307 and redirect.headers["location"].startswith("https://"), redirect.headers
        metrics = httpx.get(f"{base}/metrics", timeout=10).text
    finally:
        server.terminate()
        server.wait(timeout=60)
        log.close()
    served = {
        sample.labels["route"]: sample.value
        for family in text_string_to_metric_families(metrics)
        for sample in family.samples
        if sample.name == "mjpm_http_requests_total"
    }
    assert served["/healthz"] == 20  # every worker's requests, whichever answered the scrape
    lines = (tmp_path / "serve.log").read_text().splitlines()
    assert sum("Started server process" in line for line in lines) == 2  # WEB_CONCURRENCY
    assert sum('"request_id": "paquet-' in line and '"route": "/healthz"' in line for line in lines) == 20
