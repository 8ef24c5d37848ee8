"""The Content Security Policy, enforced on every response (django-csp).

Scripts come only from the site itself, plus GOV.UK Frontend's one-line snippet in base.html,
allowed by its hash (a nonce would not survive the whole-page cache). No 'unsafe-eval': Plotly
does not need it. Plotly styles what it draws in two ways: an empty <style> element it fills
through the CSSOM (allowed by the hash of empty content) and style attributes on the SVG it draws
(style-src-attr 'unsafe-inline': they vary with every chart). The full plotly.js also injects a
stylesheet for map tiles; the partial bundle served (no map-tile traces) does not
(tests/test_security.py checks). style-src is the fallback for browsers without
style-src-elem/-attr.
"""

from csp.constants import NONE, SELF, UNSAFE_INLINE

GOVUK_FRONTEND_SNIPPET_HASH = "'sha256-GUQ5ad8JK5KmEWmROf3LZd9ge94daqNvd8xy9YS1iDw='"
PLOTLY_STYLE_HASHES = [
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",  # empty <style>, rules via CSSOM
]


def content_security_policy(report_uri: str) -> dict:
    """The policy, with a report-uri directive where `report_uri` is set (CSP_REPORT_URI)."""
    return {
        "DIRECTIVES": {
            "default-src": [SELF],
            "script-src": [SELF, GOVUK_FRONTEND_SNIPPET_HASH],
            "style-src": [SELF, UNSAFE_INLINE],
            "style-src-elem": [SELF, *PLOTLY_STYLE_HASHES],
            "style-src-attr": [UNSAFE_INLINE],
            # Plotly's "Download plot as a png" draws the chart through a blob: image.
            "img-src": [SELF, "data:", "blob:"],
            "font-src": [SELF],
            "connect-src": [SELF],
            "object-src": [NONE],
            "base-uri": [SELF],
            "form-action": [SELF],
            "frame-ancestors": [NONE],
            **({"report-uri": report_uri} if report_uri else {}),
        },
    }
