"""Gunicorn's settings for the web process, from the environment (gunicorn reads this file)."""

import gc
import os
import sys

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
# The dashboard (Django, every view, scipy and plotly) is loaded once in the master and each worker
# forks from it: a worker that starts or is recycled answers at once, where loading the app took
# it 1-3 s (imr_dashboard/wsgi.py imports every view; no connection is open at the fork). Code
# changes therefore need a restart of the service, not a HUP (docs/OPERATIONS.md).
preload_app = True
# Recycle a worker now and then so that a slow leak never grows unbounded, but rarely (at a few
# hundred requests a second, 1,000 requests meant a restart every few seconds) and never two
# together: each worker draws its own limit between 50,000 and 75,000 requests.
max_requests = 50_000
max_requests_jitter = 25_000


def pre_fork(server, worker):
    """The loaded app's objects out of the garbage collector's sight (Python's advice for forking
    servers): a worker's collections neither walk them nor copy their memory pages."""
    gc.freeze()


def worker_exit(server, worker):
    """A worker that leaves normally (recycled, or the service stopping) leaves at once.

    The master forks its replacement only once it has gone, and tearing down the interpreter
    (every module and object the app loaded, each memory page copied from the master on the way)
    took 2-3 s, while that worker's share of the requests waited. Its database connections are
    closed and its output flushed first; a worker leaving on an error keeps its exit status."""
    error = sys.exc_info()[1]
    if os.getpid() != worker.pid:  # the master calls this too, for a worker already gone
        return
    if not isinstance(error, SystemExit) or error.code not in (0, None):
        return
    from django.db import connections

    connections.close_all()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


# Logs go to standard output and error, where docker (or the CI script) collects them.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "INFO").lower()
# The workers' heartbeat files in memory: a container's disk can stall them.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
