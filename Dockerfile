# Production image: gunicorn serves the portal, whitenoise the static files.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml README.md ./
COPY eldercare ./eldercare
COPY core ./core
COPY facilities ./facilities
COPY visits ./visits
COPY funding ./funding
RUN pip install --upgrade pip && pip install .
COPY . .

# collectstatic needs settings that import; these build-time values never reach a container.
RUN DJANGO_SECRET_KEY=build-only DJANGO_ALLOWED_HOSTS=build python manage.py collectstatic --noinput

RUN useradd --system --uid 1000 eldercare && mkdir -p /app/var && chown -R eldercare /app/var
USER eldercare
EXPOSE 8000
CMD ["gunicorn", "eldercare.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120"]
