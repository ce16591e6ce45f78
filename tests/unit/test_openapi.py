"""The committed OpenAPI descriptions match the handlers' schemas."""

import importlib.util
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


def _tool():
    spec = importlib.util.spec_from_file_location(
        'flocx_openapi_tool', os.path.join(ROOT, 'tools', 'openapi.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_descriptions_are_current():
    tool = _tool()
    for api, relpath in tool.FILES.items():
        with open(os.path.join(ROOT, relpath)) as f:
            committed = f.read()
        assert committed == tool.render(api), (
            f'{relpath} is stale: run python tools/openapi.py')


def test_request_schemas_are_the_handlers():
    from flocx_market.api.v1 import bids
    tool = _tool()
    schemas = tool.load('market')['components']['schemas']
    assert schemas['CreateBid'] == tool.portable(bids.CREATE_SCHEMA)
    assert r'\Z' not in str(schemas)
