"""FLOCX runs on Python 3.10 to 3.12, and every file says so alike.

The standard library grows with each Python: the dashboard once used
datetime.UTC (3.11) while python_requires said 3.10. The first test reads
every module of the repository and looks up each standard-library name it
uses in the interpreter running it: under tox -e py310 that is the oldest
Python FLOCX supports, where the services' unit tests import their own
modules but nothing imports the dashboard (no Horizon in that env), tools or
the functional tests.
"""

import ast
import configparser
import importlib
import pathlib
import re
import sys

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

