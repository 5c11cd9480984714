"""Security headers of every response: Content-Security-Policy and Permissions-Policy.

Django's own middleware already sends X-Content-Type-Options (SECURE_CONTENT_TYPE_NOSNIFF),
Referrer-Policy (SECURE_REFERRER_POLICY), Cross-Origin-Opener-Policy (SECURE_CROSS_ORIGIN_OPENER_POLICY)
and X-Frame-Options (XFrameOptionsMiddleware); Django 5.2 has no CSP, so this small middleware adds it.

The policy allows no inline script and no inline style: pages load their scripts from our static
files (cur/static: figures, queue keys, progress bars), plotly.js finds its stylesheet already present
(static/cur/plotly.css, marked `no-inline-styles`) and injects none; plotly and Bootstrap set styles
through the CSSOM, which a CSP does not restrict. `data:` images are Bootstrap's SVG icons in its CSS.
"""

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    # plotly.js's geo maps (the heat map) set an empty style attribute (`style=""`); this hash is
    # the empty string's, so exactly that and no other inline style is allowed.
    "style-src-attr": "'unsafe-hashes' 'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
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
