"""Settings of the worker and web processes the fault tests start: the test settings, with
e-mails written to files in FAULTS_EMAIL_DIR so that a test can count what was sent."""

import os

from cur.settings_test import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ.get("FAULTS_EMAIL_DIR", str(VAR_DIR / "faults-mail"))  # noqa: F405
