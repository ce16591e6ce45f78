"""The CLI covers every operation of the three APIs (issue 15).

Every operation of each service's OpenAPI description is sent by a method
of flocxclient.Client (each method is called here, its requests recorded),
and each of those methods is called by an ``openstack market`` command.
A new API operation fails this test until the client and the CLI have it.
"""

import ast
import collections
import inspect
import pathlib
import re

import yaml

from flocxclient import client as flocx_client

ROOT = pathlib.Path(__file__).resolve().parents[3]
SERVICES = {'market': flocx_client.MARKETPLACE,
            'auction': flocx_client.AUCTION,
            'provider': flocx_client.PROVIDER}
# GET /v1 is the version's own document, which the root (GET /, `market
# version list`) already lists in full. A provider's reports on a contract
# (marketplace 1.3) are sent by that provider's service user
# (flocx_provider.market_client), never by a person.
NOT_A_COMMAND = {(service_type, 'GET', '/v1')
                 for service_type in SERVICES.values()} | {
    (flocx_client.MARKETPLACE, 'PUT', '/v1/contracts/{}/status'),
    (flocx_client.MARKETPLACE, 'PUT', '/v1/contracts/{}/access'),
    (flocx_client.MARKETPLACE, 'POST', '/v1/contracts/{}/deliveries'),
}


def normalized(operation):
    service_type, method, path = operation
    return service_type, method, re.sub(r'\{[^}]+\}', '{}', path)


def api_operations():
    """{(service type, METHOD, path template)} of the OpenAPI files."""
    operations = set()
    for service, service_type in SERVICES.items():
        spec = yaml.safe_load(
            (ROOT / f'flocx_{service}' / 'api' / 'openapi.yaml').read_text())
        for path, item in spec['paths'].items():
            operations |= {(service_type, method.upper(), path)
                           for method in item
                           if method in ('get', 'post', 'put', 'patch',
                                         'delete')}
    return operations


class EmptyAnswer(dict):
    """Any key a method reads from an answer is an empty list."""

    def __missing__(self, key):
        return []


def client_requests(monkeypatch):
    """{client method name: {(service type, METHOD, path)}}, each public
    method of Client called once with placeholder arguments."""
    sent = collections.defaultdict(set)
    calling = []

    def request(api, method, path, json=None, params=None):
        sent[calling[-1]].add((api.service_type, method, path))
        return EmptyAnswer()

    monkeypatch.setattr(flocx_client.ServiceAPI, 'request', request)
    flocx = flocx_client.Client(session=None)
    for name, method in inspect.getmembers(flocx, inspect.ismethod):
        if name.startswith('_'):
            continue
        calling.append(name)
        required = [p for p in inspect.signature(method).parameters.values()
                    if p.default is inspect.Parameter.empty
                    and p.kind is p.POSITIONAL_OR_KEYWORD]
        argument_lists = ([[service_type] for service_type in
                           flocx_client.SERVICE_TYPES]
                          if name == 'list_versions'
                          else [['placeholder'] * len(required)])
        for arguments in argument_lists:
            answer = method(*arguments)
            if inspect.isgenerator(answer):
                list(answer)
    return sent


def template_of(operations, service_type, method, path):
    for op_type, op_method, template in operations:
        pattern = re.sub(r'\{[^}]+\}', '[^/]+', template)
        if ((op_type, op_method) == (service_type, method)
                and re.fullmatch(pattern, path)):
            return op_type, op_method, template
    return None


def called_by_the_cli():
    """Names of the attributes the CLI's modules call."""
    names = set()
    for path in (ROOT / 'client' / 'flocx_cli').glob('*.py'):
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)):
                names.add(node.func.attr)
    return names


def test_every_api_operation_has_a_client_method_and_a_command(monkeypatch):
    operations = api_operations()
    sent = client_requests(monkeypatch)
    covered = {}
    for name, requests in sent.items():
        for request in requests:
            template = template_of(operations, *request)
            assert template, f'Client.{name} sends {request}: no such ' \
                             f'operation in the OpenAPI descriptions'
            covered.setdefault(template, set()).add(name)
    missing = {operation for operation in operations - set(covered)
               if normalized(operation) not in NOT_A_COMMAND}
    assert not missing, f'no flocxclient method: {sorted(missing)}'
    unused = {name for names in covered.values() for name in names} \
        - called_by_the_cli()
    assert not unused, f'no `openstack market` command calls: {unused}'


def test_the_check_sees_a_missing_operation(monkeypatch):
    monkeypatch.setattr(flocx_client.Client, 'get_round',
                        lambda self, round_id: None)
    sent = client_requests(monkeypatch)
    operations = api_operations()
    covered = {template_of(operations, *request)
               for requests in sent.values() for request in requests}
    assert (flocx_client.AUCTION, 'GET', '/v1/rounds/{round_id}') \
        not in covered
    assert (flocx_client.AUCTION, 'GET', '/v1/rounds') in covered
