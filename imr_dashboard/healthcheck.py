"""Exit 0 when the web process answers /healthz/ with 200; the container and CI healthcheck.

Standard library only, so that it is cheap to run every few seconds. It asks as the reverse proxy
would: with a host name the site serves (the first of ALLOWED_HOSTS) and the header that says the
request arrived over HTTPS, so that the production security settings answer 200, not a redirect.
"""

from __future__ import annotations

import http.client
import os
import sys


def probe_host() -> str:
    """A Host header the site accepts: the first ALLOWED_HOSTS entry that names one host."""
    for entry in os.environ.get("ALLOWED_HOSTS", "").split(","):
        name = entry.strip().lstrip(".")
        if name and name != "*":
            return name
    return "localhost"


def main() -> int:
    address = os.environ.get("HEALTHCHECK_ADDRESS", "127.0.0.1:8000")
    host, _, port = address.rpartition(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=5)
    try:
        connection.request(
            "GET", "/healthz/", headers={"Host": probe_host(), "X-Forwarded-Proto": "https"}
        )
        response = connection.getresponse()
    except OSError as exc:
        print(f"healthcheck: {address}: {exc}", file=sys.stderr)
        return 1
    finally:
        connection.close()
    if response.status != 200:
        print(f"healthcheck: {address}/healthz/ answered {response.status}", file=sys.stderr)
        if (response.getheader("Location") or "").startswith("https://"):
            print(
                "healthcheck: redirected to HTTPS: set SECURE_PROXY_SSL_HEADER="
                "HTTP_X_FORWARDED_PROTO,https (the proxy in front says a request came over HTTPS)",
                file=sys.stderr,
            )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
