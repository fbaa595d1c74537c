"""Loaded with `-p tests.pytest_env` (pyproject), before pytest-django reads the settings.

Tests run with DEBUG off, as production does; they need a SECRET_KEY, and get a throwaway one when none is set.
"""

import os
from pathlib import Path

os.environ.setdefault("DEBUG", "0")
# The tests' own folder for the embedded broker, results, mail files and uploads: nothing a dev worker would read.
os.environ.setdefault("VAR_DIR", str(Path(__file__).resolve().parent.parent / "var" / "test"))
(Path(os.environ["VAR_DIR"]) / "staticfiles").mkdir(parents=True, exist_ok=True)  # whitenoise warns without it
os.environ.setdefault("SECRET_KEY", "pytest-only-insecure-secret-key-0123456789-abcdefghijklmnopqrstuv")
# The test servers speak plain HTTP: no redirect to HTTPS, no HSTS, cookies not restricted to HTTPS.
# (Set here, not with the `settings` fixture: SecurityMiddleware reads these once, when the server starts.)
for name, value in {
    "STATIC_MANIFEST": "0",
    "SECURE_SSL_REDIRECT": "0",
    "SECURE_HSTS_SECONDS": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
}.items():
    os.environ.setdefault(name, value)
