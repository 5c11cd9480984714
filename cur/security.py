"""Security headers of every response: Content-Security-Policy and Permissions-Policy.

Django's own middleware already sends X-Content-Type-Options (SECURE_CONTENT_TYPE_NOSNIFF),
Referrer-Policy (SECURE_REFERRER_POLICY), Cross-Origin-Opener-Policy (SECURE_CROSS_ORIGIN_OPENER_POLICY)
and X-Frame-Options (XFrameOptionsMiddleware); Django 5.2 has no CSP, so this small middleware adds it.

The policy allows no inline script, no <style> element and no style attribute but five fixed strings
plotly.js writes (allowed by hash): pages load their scripts from our static files (static/cur:
figures, queue keys, progress bars), plotly.js finds its stylesheet already present (static/cur/plotly.css,
marked `no-inline-styles`) and injects none; plotly and Bootstrap otherwise set styles through the CSSOM,
which a CSP does not restrict. `data:` images are Bootstrap's SVG icons in its CSS. docs/security.md.
"""

# sha256 of "", "font-weight:bold", "font-style:italic", "cursor:pointer", "font-style:italic;font-weight:bold".
PLOTLY_STYLE_ATTRIBUTE_HASHES = (
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
    "'sha256-wkY2X5hecQzbhnFCqvTpwrUJ1f4X8LH5WFjYUzv1wmU='",
    "'sha256-r8zR3S6YuWY5tpo2Y0PvZHW5fa+SKLNon9zbEWb5UPA='",
    "'sha256-lGP/R5jOMXytzwBHVEM5Nv4XbT9fuH6V2dET/0dje2s='",
    "'sha256-QgxrH8SPeZw8KPU9SIHednmi+cE2XsWUSrOq52U6k4s='",
)

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    # plotly.js sets a few fixed style attributes: an empty one (geo maps) and those of its rich text
    # in labels (<b>, <i>, <a>, <em>: TAG_STYLES in its svg_text_utils). Exactly these strings
    # are allowed, by hash; no other inline style is.
    "style-src-attr": "'unsafe-hashes' " + " ".join(PLOTLY_STYLE_ATTRIBUTE_HASHES),
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)


CONTENT_SECURITY_POLICY = "; ".join(f"{directive} {sources}" for directive, sources in POLICY.items())


class SecurityHeadersMiddleware:
    """Adds CSP and Permissions-Policy to every response that does not set its own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
