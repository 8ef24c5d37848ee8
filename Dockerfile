# The dashboard's image: gunicorn for the web, the same image for the Celery worker and beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir uv && uv pip install --system --no-cache -e . \
    && useradd --create-home --uid 1000 dashboard
COPY --chown=dashboard:dashboard . .
USER dashboard

EXPOSE 8000
CMD ["gunicorn", "imr_dashboard.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2"]
