"""The production settings (cur.settings, DEBUG off) served over plain HTTP on loopback.

In production TLS ends at the reverse proxy and cookies are Secure; the load test talks to gunicorn
directly over http://127.0.0.1, where a client never sends a Secure cookie back, so only the
HTTPS-specific settings are relaxed. Static files: whitenoise from a collectstatic of our own.
"""

import os
from pathlib import Path

from cur.settings import *  # noqa: F403

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
STATIC_ROOT = Path(os.environ.get("BENCH_STATIC_ROOT", BASE_DIR / "var" / "bench-static"))  # noqa: F405
