# mjpm-match: production image (PostgreSQL via DATABASE_URL; see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PORT=8000
WORKDIR /srv/mjpm

COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
# Editable install: alembic.ini and migrations/ stay beside the package, where `mjpm db upgrade` finds them.
RUN pip install --no-cache-dir -e . \
    && useradd --system --uid 10001 --home-dir /srv/mjpm mjpm \
    && mkdir -p /srv/mjpm/var && chown mjpm /srv/mjpm/var

USER mjpm
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/healthz', timeout=4)"

# Migrations are idempotent: every start brings the schema and the reference tribunals up to date.
CMD ["sh", "-c", "mjpm db upgrade && exec uvicorn app.main:create_app --factory --host 0.0.0.0 --port ${PORT} --proxy-headers"]
