"""FLOCX runs on Python 3.10 to 3.12, and every file says so alike.

The standard library grows with each Python: the dashboard once used
datetime.UTC (3.11) while python_requires said 3.10. The first test reads
every module of the repository and looks up each standard-library name it
uses in the interpreter running it: under tox -e py310 that is the oldest
Python FLOCX supports, where the services' unit tests import their own
modules but nothing imports the dashboard (no Horizon in that env), tools or
the functional tests. The README's test command (tools/test-setup.sh, and
so CI) runs the unit tests on every supported Python: the tests below run
it with --dry-run among stand-in interpreters.
"""

import ast
import configparser
import importlib
import pathlib
import re
import subprocess
import sys


from tests.unit import shellcheck

ROOT = pathlib.Path(__file__).resolve().parents[2]
SOURCES = ('flocx_common', 'flocx_market', 'flocx_auction', 'flocx_provider',
           'flocx_local', 'client', 'dashboard', 'tests', 'tools', 'bench')
OLDEST, NEWEST = (3, 10), (3, 12)
SUPPORTED = [f'3.{minor}' for minor in range(OLDEST[1], NEWEST[1] + 1)]


def _has(module_name, name):
    module = importlib.import_module(module_name)
    if hasattr(module, name):
        return True
    try:  # a submodule not imported yet (os.path, importlib.metadata)
        importlib.import_module(f'{module_name}.{name}')
    except ImportError:
        return False
    return True


def stdlib_names_missing(tree):
    """`module.name` and `from module import name` uses of the standard
    library that this interpreter's standard library lacks."""
    aliases = {}  # local name -> standard-library module
    missing = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split('.')[0] in sys.stdlib_module_names:
                    local = alias.asname or alias.name.split('.')[0]
                    aliases[local] = (alias.name if alias.asname
                                      else alias.name.split('.')[0])
        elif (isinstance(node, ast.ImportFrom) and node.level == 0
              and node.module.split('.')[0] in sys.stdlib_module_names):
            for alias in node.names:
                if alias.name != '*' and not _has(node.module, alias.name):
                    missing.append(f'{node.lineno}: from {node.module} '
                                   f'import {alias.name}')
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and not _has(aliases[node.value.id], node.attr)):
            missing.append(f'{node.lineno}: {aliases[node.value.id]}.'
                           f'{node.attr}')
    return missing


def test_every_stdlib_name_used_exists_in_this_python():
    missing = []
    for folder in SOURCES:
        for path in sorted((ROOT / folder).rglob('*.py')):
            tree = ast.parse(path.read_text(), str(path))
            missing += [f'{path.relative_to(ROOT)}:{line}'
                        for line in stdlib_names_missing(tree)]
    assert not missing, (f'not in Python {sys.version.split()[0]}:\n'
                         + '\n'.join(missing))


def test_the_check_finds_a_newer_name():
    tree = ast.parse('import datetime as dt\nimport os\n'
                     'from json import no_such_name\n'
                     'dt.no_such_attribute\nos.path.join\n')
    assert stdlib_names_missing(tree) == [
        '3: from json import no_such_name', '4: datetime.no_such_attribute']


def _classifiers(text):
    return re.findall(r'Programming Language :: Python :: (3\.\d+)', text)


def test_supported_pythons_are_declared_alike():
    """python_requires, the classifiers of the three distributions and the
    tox environments name the same Pythons."""
    setup = configparser.ConfigParser()
    setup.read(ROOT / 'setup.cfg')
    assert setup['metadata']['python_requires'] == '>=3.10'
    assert _classifiers(setup['metadata']['classifier']) == SUPPORTED
    for dist in ('client', 'dashboard'):
        text = (ROOT / dist / 'pyproject.toml').read_text()
        assert 'requires-python = ">=3.10"' in text, dist
        assert _classifiers(text) == SUPPORTED, dist
    tox = configparser.ConfigParser()
    tox.read(ROOT / 'tox.ini')
    envs = {env.strip() for env in tox['tox']['envlist'].split(',')}
    assert {f'py3{version[2:]}' for version in SUPPORTED} <= envs



def _fake_python(folder, name, version):
    """An executable `name` that answers the test command's version query
    as Python `version` would."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f'#!/bin/sh\necho {version}\n')
    path.chmod(0o755)
    return path


def _dry_run(tmp_path, python3, found, **env):
    """tools/test-setup.sh --dry-run where python3 is `python3` and
    `found` ({version: 'pyenv' or 'path'}) the other Pythons there are."""
    bin_dir, pyenv = tmp_path / 'bin', tmp_path / 'pyenv'
    _fake_python(bin_dir, 'python3', python3)
    for version, where in found.items():
        if where == 'pyenv':
            # Two patch releases: the newest is taken.
            for patch in ('1', '13'):
                _fake_python(pyenv / 'versions' / f'{version}.{patch}' / 'bin',
                             f'python{version}', version)
        else:
            _fake_python(bin_dir, f'python{version}', version)
    env = dict({'PATH': f'{bin_dir}:/usr/bin:/bin',
                'PYENV_ROOT': str(pyenv), 'HOME': str(tmp_path)}, **env)
    return subprocess.run(['bash', 'tools/test-setup.sh', '--dry-run'],
                          cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120, check=False)


def test_the_test_command_runs_the_unit_tests_on_every_supported_python(
        tmp_path):
    """README's test command: py3 on python3, and a py3XX for each other
    supported Python, from pyenv or PATH."""
    python3, *others = SUPPORTED[1], SUPPORTED[0], SUPPORTED[2]
    result = _dry_run(tmp_path, python3, {others[0]: 'pyenv',
                                          others[1]: 'path'})
    assert result.returncode == 0, result.stderr
    envs = [f'py3{version[2:]}' for version in others]
    assert (f'running: tox -e py3,{",".join(envs)},functional,hardening,pep8'
            in result.stdout), result.stdout
    assert (f'{envs[0]}: Python {others[0]} at {tmp_path}/pyenv/versions/'
            f'{others[0]}.13/bin/python{others[0]}') in result.stdout
    assert (f'{envs[1]}: Python {others[1]} at {tmp_path}/bin/'
            f'python{others[1]}') in result.stdout
    # A python3 FLOCX does not support: every supported one as py3XX.
    result = _dry_run(tmp_path / 'newer', '3.99',
                      dict.fromkeys(SUPPORTED, 'pyenv'))
    envs = ','.join(f'py3{version[2:]}' for version in SUPPORTED)
    assert f'running: tox -e py3,{envs},functional' in result.stdout, \
        result.stdout + result.stderr


def test_a_missing_python_is_skipped_or_under_ci_an_error(tmp_path):
    oldest, python3, newest = SUPPORTED[0], SUPPORTED[1], SUPPORTED[-1]
    result = _dry_run(tmp_path, python3, {newest: 'pyenv'})
    assert result.returncode == 0, result.stderr
    env = f'py3{oldest[2:]}'
    assert f'skipping {env}: no Python {oldest}' in result.stdout
    assert f'running: tox -e py3,py3{newest[2:]},functional' in result.stdout
    for ci in ({'CI': 'true'}, {'FLOCX_REQUIRE_SERVICES': '1'}):
        result = _dry_run(tmp_path, python3, {newest: 'pyenv'}, **ci)
        assert result.returncode == 1, ci
        assert result.stderr.splitlines() == [
            f'[test-setup] error: no Python {oldest} for {env} (the unit '
            f'tests on every supported Python): none in {tmp_path}/pyenv/'
            f'versions, no working python{oldest} on PATH'], result.stderr
        assert 'running: tox' not in result.stdout


def test_readme_says_what_the_test_command_runs():
    readme = (ROOT / 'README.rst').read_text()
    assert (f'every Python FLOCX supports ({SUPPORTED[0]} to '
            f'{SUPPORTED[-1]}' in ' '.join(readme.split()))
    assert ('tox -e py3,py310,py312,functional,hardening,pep8'
            in ' '.join(readme.split()))


def test_the_test_command_is_shellcheck_clean():
    shellcheck.assert_clean('tools/test-setup.sh', cwd=ROOT)
