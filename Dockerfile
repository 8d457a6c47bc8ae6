# mjpm-match: production image (PostgreSQL via DATABASE_URL; see docker-compose.yml).

# The DSFR's built files, from the npm package pinned by scripts/node/package-lock.json (no CDN at run time).
FROM node:20-slim AS dsfr
WORKDIR /build
COPY scripts/node/package.json scripts/node/package-lock.json ./
COPY scripts/dsfr-assets.sh ./
RUN npm ci --ignore-scripts --no-audit --no-fund --loglevel=error \
    && sh dsfr-assets.sh node_modules/@gouvfr/dsfr/dist /build/dsfr

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PORT=8000
WORKDIR /srv/mjpm

# Dependencies first, exact versions and hashes from the lock (./scripts/lock): a code change reuses this layer.
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock

# Then the project, installed as a wheel would be (alembic.ini and the migrations are package data); the build
# backend comes from the lock, so the build needs no network.
COPY pyproject.toml README.md LICENSE /tmp/mjpm-src/
COPY app /tmp/mjpm-src/app
COPY --from=dsfr /build/dsfr /tmp/mjpm-src/app/web/static/dsfr
RUN pip install --no-cache-dir --no-deps --no-build-isolation /tmp/mjpm-src \
    && rm -rf /tmp/mjpm-src \
    && useradd --system --uid 10001 --home-dir /srv/mjpm mjpm \
    && mkdir -p /srv/mjpm/var && chown mjpm /srv/mjpm/var

USER mjpm
EXPOSE 8000
# Liveness only (/healthz touches no database): Swarm replaces unhealthy containers, and a database outage must not
# restart every instance. Readiness, for load balancers and orchestrators that route traffic, is /readyz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/healthz', timeout=4)"

# Migrations are idempotent: every start brings the schema and the reference tribunals up to date. `mjpm serve`
# reads WEB_CONCURRENCY (workers) and FORWARDED_ALLOW_IPS (proxies believed) from the environment.
ENV HOST=0.0.0.0
CMD ["sh", "-c", "mjpm db upgrade && exec mjpm serve"]
