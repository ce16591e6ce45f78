"""The panel's unit tests, in Horizon's own virtualenv.

tests/unit/dashboard needs Horizon and its Django, which the services' test
environment does not have (tox -e py3 skips them); tools/horizon/hzlocal.py's
virtualenv has both. Run there, every one of them must pass: none skipped.
"""
import re
import subprocess

from tests.functional.dashboard.conftest import REPO

# With the browser test (test_horizon.py) on one xdist worker: see there.


def test_panel_unit_tests_pass_under_horizon(horizon_install):
    result = subprocess.run(
        [str(horizon_install.python), '-m', 'pytest', '-q',
         # Only the dashboard's own conftest: the suite's top-level ones
         # import the services, which are not in Horizon's venv.
         '--confcutdir', 'tests/unit/dashboard', '-p', 'no:cacheprovider',
         'tests/unit/dashboard'],
        cwd=REPO, capture_output=True, text=True, timeout=600)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    summary = output.strip().splitlines()[-1]
    passed = re.search(r'(\d+) passed', summary)
    assert passed and int(passed[1]) >= 40, summary
    assert not re.search(r'skipped|xfail|deselected', summary), summary
