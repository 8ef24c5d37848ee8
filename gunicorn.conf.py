"""Gunicorn's settings for the web process, from the environment (gunicorn reads this file)."""

import os

# In the container: every interface, port 8000 (docker-compose publishes it to the host).
bind = [os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")]
# Sync workers: pages are served from the cache; threads gave no gain here (docs/PERFORMANCE.md).
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# The peers whose X-Forwarded-Proto gunicorn believes. docker-compose.yml gives "*": web is not
# published on the host and only the TLS proxy reaches it, from an address Docker chooses. The
# dashboard itself reads the header through SECURE_PROXY_SSL_HEADER either way.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so that a slow leak never grows unbounded.
max_requests = 1000
max_requests_jitter = 100
# Logs go to standard output and error, where docker (or the CI script) collects them.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "INFO").lower()
# The workers' heartbeat files in memory: a container's disk can stall them.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
