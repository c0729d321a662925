# syntax=docker/dockerfile:1
# 保学通 (Baoxue): the API with the field app built in. Build: docker build -t baoxue .

# --- the field app (PWA) -------------------------------------------------------------------
FROM node:20.20-bookworm-slim AS pwa
WORKDIR /build/mobile_pwa
COPY mobile_pwa/package.json mobile_pwa/package-lock.json mobile_pwa/.npmrc ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY mobile_pwa/ ./
RUN npm run build

# --- the runtime ---------------------------------------------------------------------------
FROM python:3.11-slim-bookworm AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    BAOXUE_DATA_DIR=/app/data \
    BAOXUE_PWA_DIST=/app/mobile_pwa/dist \
    BAOXUE_ENVIRONMENT=production \
    DATABASE_URL=sqlite+aiosqlite:////app/data/baoxue.db
WORKDIR /app
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
COPY alembic.ini ./
COPY alembic ./alembic
COPY api ./api
COPY --from=pwa /build/mobile_pwa/dist ./mobile_pwa/dist
RUN useradd --system --uid 10001 --user-group --home-dir /app baoxue \
    && mkdir -p /app/data \
    && chown baoxue:baoxue /app/data
USER 10001:10001
VOLUME ["/app/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request as r; r.urlopen('http://127.0.0.1:8000/api/v1/health', timeout=4)"]
# Migrate, seed the demo county only when BAOXUE_DEMO_SCALE is set, then serve.
CMD ["sh", "-c", "alembic upgrade head && if [ -n \"${BAOXUE_DEMO_SCALE:-}\" ]; then python -m api.demo --scale \"$BAOXUE_DEMO_SCALE\" --if-empty; fi && exec uvicorn api.main:app --host 0.0.0.0 --port 8000 --proxy-headers --forwarded-allow-ips '*' --no-access-log"]
