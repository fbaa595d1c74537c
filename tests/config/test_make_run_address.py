"""`make run`: the address written in e-mails and calendar invites follows the server's own address."""

import os
import shutil
import subprocess

import pytest
from django.conf import settings

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")

# Replaces the recipe of `run` (make warns that it does, on stderr): prints the environment its commands get.
# The prerequisites of `run` count as done: nothing is installed, migrated or loaded.
SKIP_PREREQUISITES = ("-o", "install", "-o", "messages", "-o", "demo")
PROBE = 'run:\n\t@echo "SITE_URL=$$SITE_URL"\n'


def run_env(tmp_path, *args: str, **env: str) -> str:
    """What the commands of `make run` see as SITE_URL, without installing, migrating or starting anything."""
    probe = tmp_path / "probe.mk"
    probe.write_text(PROBE)
    environment = {key: value for key, value in os.environ.items() if key not in {"SITE_URL", "PORT", "HOST"}}
    environment.update(env)
    proc = subprocess.run(
        ["make", "-s", "-f", "Makefile", "-f", str(probe), *SKIP_PREREQUISITES, "run", *args],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout.strip()


def test_links_follow_the_port_of_make_run(tmp_path):
    assert run_env(tmp_path, "PORT=8100") == "SITE_URL=http://127.0.0.1:8100"
    assert run_env(tmp_path, PORT="8101") == "SITE_URL=http://127.0.0.1:8101"
    assert run_env(tmp_path) == "SITE_URL=http://127.0.0.1:8000"


def test_links_follow_the_host_of_make_run(tmp_path):
    assert run_env(tmp_path, "HOST=localhost", "PORT=8100") == "SITE_URL=http://localhost:8100"
    # Every interface: 0.0.0.0 is no address to link to.
    assert run_env(tmp_path, "HOST=0.0.0.0", "PORT=8100") == "SITE_URL=http://127.0.0.1:8100"


def test_a_site_url_that_is_set_wins(tmp_path):
    assert run_env(tmp_path, "PORT=8100", SITE_URL="https://chibo.example.vn") == "SITE_URL=https://chibo.example.vn"
