"""The log: a refused request (403) is one line, in debug (`make run`) as in production."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Django's own path for a view that raised PermissionDenied (the access gate's 403), in a process of its own so that
# Django configures the logging from the settings exactly as `manage.py runserver` and gunicorn do.
FORBIDDEN = """
import django
django.setup()
from django.core.exceptions import PermissionDenied
from django.core.handlers.exception import response_for_exception
from django.test import RequestFactory

try:
    raise PermissionDenied
except PermissionDenied as error:
    response = response_for_exception(RequestFactory().get("/sinh-hoat/1/sua/"), error)
assert response.status_code == 403
"""


@pytest.mark.parametrize("debug", ["1", "0"])
def test_a_403_is_logged_once_without_a_traceback(debug):
    env = {**os.environ, "DEBUG": debug, "DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONPATH": str(ROOT)}
    env.pop("LOG_LEVEL", None)
    result = subprocess.run(
        [sys.executable, "-c", FORBIDDEN], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 0, result.stderr
    log = result.stderr
    assert log.count("Forbidden (Permission denied): /sinh-hoat/1/sua/") == 1, log
    assert "Traceback" not in log, log
    assert "WARNING django.request" in log  # still logged, in the app's one format
