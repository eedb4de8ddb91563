# Production image: gunicorn serves the portal, whitenoise the static files; nginx in front
# (docker-compose.yml, deploy/nginx.conf). Production is the default: DJANGO_DEBUG=0.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 DJANGO_DEBUG=0
WORKDIR /app

COPY pyproject.toml README.md ./
COPY eldercare ./eldercare
COPY core ./core
COPY facilities ./facilities
COPY visits ./visits
COPY funding ./funding
RUN pip install --upgrade pip && pip install .
COPY . .

# Under DJANGO_DEBUG=0 (above): the manifest storage, as at run time, so the manifest is written.
# The secret and hosts only let the settings import; they are not ENV, so never reach a
# container (which refuses to start without its own DJANGO_SECRET_KEY).
# tests/test_production_static.py runs this line as written.
RUN DJANGO_SECRET_KEY=build-only-not-a-secret DJANGO_ALLOWED_HOSTS=build python manage.py collectstatic --noinput

RUN useradd --system --uid 1000 eldercare && mkdir -p /app/var && chown -R eldercare /app/var
USER eldercare
EXPOSE 8000
# gunicorn takes X-Forwarded-Proto only from FORWARDED_ALLOW_IPS (default 127.0.0.1; the
# compose file names the proxy's address).
CMD ["gunicorn", "eldercare.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120"]
