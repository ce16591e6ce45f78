"""The shape of the imports shows the system (issue 15).

flocx_common is what the three services share and imports none of them;
the local cloud (flocx_local) sits above the services and none imports it;
a service reaches another only through that service's RPC API module; and
flocx_auction's modules import each other in no cycle (that its order
book's types sit below the planners that use them is
tests/unit/auction/test_online.py's). Every import counts, those inside
functions too.
"""

import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
SERVICES = ('flocx_market', 'flocx_auction', 'flocx_provider')


def module_name(path):
    parts = path.relative_to(ROOT).with_suffix('').parts
    return '.'.join(parts[:-1] if parts[-1] == '__init__' else parts)


def is_module(name):
    path = ROOT / name.replace('.', '/')
    return (path.with_suffix('.py').exists()
            or (path / '__init__.py').exists())


def imports(package):
    """{module: {imported flocx module}} of every module of ``package``."""
    found = {}
    for path in sorted((ROOT / package).rglob('*.py')):
        names = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                # `from flocx_auction import book` imports a module;
                # `from flocx_auction.book import Bid`, names of one.
                modules = {f'{node.module}.{alias.name}'
                           for alias in node.names
                           if is_module(f'{node.module}.{alias.name}')}
                names |= modules or {node.module}
        found[module_name(path)] = {name for name in names
                                    if name.split('.')[0].startswith('flocx')}
    return found


def top(name):
    return name.split('.')[0]


def test_common_imports_no_service_and_not_the_local_cloud():
    wrong = {(module, name) for module, names in imports('flocx_common')
             .items() for name in names if top(name) != 'flocx_common'}
    assert not wrong


def test_services_meet_only_through_rpc_apis():
    wrong = set()
    for service in SERVICES:
        for module, names in imports(service).items():
            for name in names:
                if top(name) in (service, 'flocx_common'):
                    continue
                if top(name) in SERVICES and name.endswith('.rpcapi'):
                    continue
                wrong.add((module, name))
    assert not wrong


def cycle(graph):
    """One import cycle of ``graph`` as a list of modules, or None."""
    state = {}

    def visit(node, path):
        state[node] = 'open'
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 'open':
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt, path + [nxt])
                if found:
                    return found
        state[node] = 'done'
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node, [node])
            if found:
                return found
    return None


def auction_graph():
    found = imports('flocx_auction')
    return {module: {name for name in names if name in found and
                     name != module and not module.startswith(name + '.')}
            for module, names in found.items()}


def test_auction_modules_import_no_cycle():
    assert cycle(auction_graph()) is None


def test_the_cycle_finder_finds_one():
    assert cycle({'a': {'b'}, 'b': {'c'}, 'c': {'a'}, 'd': set()}) == [
        'a', 'b', 'c', 'a']
    assert cycle({'a': {'b'}, 'b': set()}) is None
