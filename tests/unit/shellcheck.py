"""shellcheck over the project's shell scripts: a test fails on a finding,
and under CI also when shellcheck is missing (outside CI it is skipped)."""

import os
import shutil
import subprocess

import pytest


def assert_clean(*paths, cwd, follow_sources=False):
    shellcheck = shutil.which('shellcheck')
    if shellcheck is None:
        if os.environ.get('CI'):
            pytest.fail('shellcheck is not installed (apt-get install -y '
                        'shellcheck)')
        pytest.skip('shellcheck is not installed')
    args = [shellcheck, *(['-x'] if follow_sources else []), '-s', 'bash']
    proc = subprocess.run([*args, *paths], cwd=cwd, capture_output=True,
                          text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
