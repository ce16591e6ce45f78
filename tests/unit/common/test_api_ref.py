"""The api-ref (doc/source/api-ref, os-api-ref) and the OpenAPI files
(flocx_*/api/openapi.yaml, written by tools/openapi.py from the handlers)
describe the same operations and query parameters."""

import pathlib
import re

import pytest
import yaml

REPO = pathlib.Path(__file__).resolve().parents[3]
API_REF = REPO / 'doc' / 'source' / 'api-ref'
METHODS = {'get', 'put', 'post', 'delete', 'patch'}


def _path(path):
    return re.sub(r'\{[^}]+\}', '{}', path.rstrip('/') or '/')


def _openapi(service):
    doc = yaml.safe_load(
        (REPO / f'flocx_{service}' / 'api' / 'openapi.yaml').read_text())
    components = doc.get('components', {}).get('parameters', {})
    operations = {}
    for path, item in doc['paths'].items():
        shared = item.get('parameters', [])
        for method, op in item.items():
            if method not in METHODS:
                continue
            query = set()
            for param in shared + op.get('parameters', []):
                if '$ref' in param:
                    param = components[param['$ref'].rsplit('/', 1)[1]]
                if param.get('in') == 'query':
                    query.add(param['name'])
            operations[(method.upper(), _path(path))] = query
    return operations


def _api_ref(service):
    """{(METHOD, path): {(name, parameters.yaml key), ...}}."""
    text = (API_REF / f'{service}.rst').read_text()
    operations = {}
    current = None
    for line in text.splitlines():
        match = re.match(r'\.\. rest_method:: (\w+) (\S+)', line)
        if match:
            current = (match[1], _path(match[2]))
            operations[current] = set()
        elif current and line.strip().startswith('- ') and ':' in line:
            name, key = line.strip()[2:].split(':', 1)
            operations[current].add((name.strip(), key.strip()))
    return operations


PARAMETERS = yaml.safe_load((API_REF / 'parameters.yaml').read_text())


@pytest.mark.parametrize('service', ['market', 'auction', 'provider'])
def test_same_operations(service):
    documented = {op for op in _api_ref(service) if op[1].startswith('/v1/')}
    described = {op for op in _openapi(service) if op[1].startswith('/v1/')}
    assert sorted(described - documented) == [], 'missing from the api-ref'
    assert sorted(documented - described) == [], 'missing from OpenAPI'


@pytest.mark.parametrize('service', ['market', 'auction', 'provider'])
def test_query_parameters_documented(service):
    documented = _api_ref(service)
    missing = []
    for op, query in _openapi(service).items():
        if op not in documented:
            continue
        names = {name for name, key in documented[op]
                 if PARAMETERS.get(key, {}).get('in') == 'query'}
        for name in sorted(query - names):
            missing.append(f'{op[0]} {op[1]} ?{name}')
    assert missing == []
