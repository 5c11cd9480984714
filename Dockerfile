# One image for web, worker and beat (docker-compose.yml picks the command).

# Browser files from the npm registry (package.json): plotly.js's Russian locale.
FROM node:20-bookworm-slim AS npm
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund

FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 VAR_DIR=/var/lib/cur
WORKDIR /app

# DejaVu Sans is embedded in PDF reports; the PostgreSQL 15 client runs scripts/backup.sh and restore.sh.
RUN apt-get update && apt-get install -y --no-install-recommends fonts-dejavu-core postgresql-client \
 && rm -rf /var/lib/apt/lists/*

COPY requirements.txt constraints-build.txt ./
RUN pip install --no-cache-dir --upgrade "pip>=25.3" \
 && pip install --no-cache-dir --build-constraint constraints-build.txt -r requirements.txt

COPY . .
COPY --from=npm /app/node_modules ./node_modules
RUN SECRET_KEY=build-only python manage.py collectstatic --noinput -v0 \
 && useradd --system --home /app cur && mkdir -p /var/lib/cur/media && chown -R cur /var/lib/cur
USER cur

EXPOSE 8000
# Sync workers, as many as WEB_CONCURRENCY (2 × cores + 1, docs/deployment.md); the rest from
# GUNICORN_CMD_ARGS: the same image fits a 2-core and an 8-core machine.
ENV WEB_CONCURRENCY=5 GUNICORN_CMD_ARGS="--timeout 120 --max-requests 2000 --max-requests-jitter 200"
CMD ["gunicorn", "cur.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
