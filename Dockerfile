# syntax=docker/dockerfile:1
# The dashboard's image: the same image runs the one-shot setup, gunicorn, the Celery worker and
# Celery beat (docker-compose.yml). Every dependency is pinned in requirements.lock and checked
# against its hash; nothing secret is built in: settings come from the environment at run time.
# The base image, pinned by digest so that every build starts from the same bytes (a tag moves
# with each Debian or Python patch release). Refresh the pin on purpose, as docs/OPERATIONS.md
# ("Refresh the base image") says: no registry is reachable from CI to check it.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm@sha256:2e32f7d302adc1c37428355c1e646897c0c53f4fd60b6a551245fb90ee129f91

# Build stage: the dependencies into a virtual environment, copied whole into the final image.
FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
COPY requirements.lock /tmp/requirements.lock
RUN /opt/venv/bin/pip install --require-hashes --no-deps -r /tmp/requirements.lock

# Final stage: no build tools, no pip cache, a user without privileges.
FROM ${PYTHON_IMAGE} AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    STATICFILES_BACKEND=whitenoise.storage.CompressedManifestStaticFilesStorage
RUN groupadd --system --gid 10001 dashboard \
    && useradd --system --uid 10001 --gid dashboard --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin dashboard
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
# The code stays owned by root: the dashboard user can read it, not change it.
COPY . .
# Static files with hashed names, gzip and Brotli copies, for WhiteNoise to serve with long cache
# lifetimes. The key below exists only for this command (settings need one); it is no secret.
RUN SECRET_KEY=collectstatic-only DEBUG=0 python manage.py collectstatic --no-input -v 0 \
    && chown dashboard:dashboard /app/var
USER dashboard
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "-m", "imr_dashboard.healthcheck"]
CMD ["gunicorn", "imr_dashboard.wsgi:application"]
