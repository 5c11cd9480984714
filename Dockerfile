# One image for web, worker and beat (docker-compose.yml picks the command).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 VAR_DIR=/var/lib/cur
WORKDIR /app

# DejaVu Sans is embedded in PDF reports.
RUN apt-get update && apt-get install -y --no-install-recommends fonts-dejavu-core && rm -rf /var/lib/apt/lists/*

COPY requirements.txt constraints-build.txt ./
RUN pip install --no-cache-dir --upgrade "pip>=25.3" \
 && pip install --no-cache-dir --build-constraint constraints-build.txt -r requirements.txt

COPY . .
RUN SECRET_KEY=build-only python manage.py collectstatic --noinput -v0 \
 && useradd --system --home /app cur && mkdir -p /var/lib/cur && chown cur /var/lib/cur
USER cur

EXPOSE 8000
CMD ["gunicorn", "cur.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "4", "--access-logfile", "-"]
