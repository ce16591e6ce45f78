#!/usr/bin/env python3
"""Write the OpenAPI 3.1 descriptions of the three FLOCX APIs.

The request bodies and query parameters come from the handlers themselves
(their jsonschemas, filter tuples, statuses and sort keys), so the files
cannot drift from what the services accept; tests/unit/test_openapi.py
fails when a committed file is stale.

    python tools/openapi.py            # rewrite the three files
    python tools/openapi.py --check    # exit 1 if any file is stale

Files: flocx_market/api/openapi.yaml, flocx_auction/api/openapi.yaml,
flocx_provider/api/openapi.yaml (not served by the APIs).
"""

import copy
import os
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from flocx_auction.api import versions as auction_versions  # noqa: E402
from flocx_common.api import validation as v  # noqa: E402
from flocx_market.api import versions as market_versions  # noqa: E402
from flocx_market.api.v1 import bids as market_bids  # noqa: E402
from flocx_market.api.v1 import clouds as market_clouds  # noqa: E402
from flocx_market.api.v1 import contracts as market_contracts  # noqa: E402
from flocx_market.api.v1 import lifecycle as market_lifecycle  # noqa: E402
from flocx_market.api.v1 import offers as market_offers  # noqa: E402
from flocx_market.api.v1 import organizations as market_orgs  # noqa: E402
from flocx_market.db import api as market_db  # noqa: E402
from flocx_provider.api import versions as provider_versions  # noqa: E402
from flocx_provider.api.v1 import leases as provider_leases  # noqa: E402
from flocx_provider.api.v1 import offers as provider_offers  # noqa: E402
from flocx_provider.db import api as provider_db  # noqa: E402

FILES = {
    'market': 'flocx_market/api/openapi.yaml',
    'auction': 'flocx_auction/api/openapi.yaml',
    'provider': 'flocx_provider/api/openapi.yaml',
}


def portable(schema):
    """A code schema in portable JSON Schema: Python's \\Z is ECMA's $."""
    schema = copy.deepcopy(schema)

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == 'pattern' and isinstance(value, str):
                    node[key] = value.replace(r'\Z', '$')
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)
    walk(schema)
    return schema


def ref(name):
    return {'$ref': f'#/components/schemas/{name}'}


def nullable(schema):
    return {'oneOf': [schema, {'type': 'null'}]}


STRING = {'type': 'string'}
NUMBER = {'type': 'number'}
INTEGER = {'type': 'integer'}
TIME_OUT = {'type': 'string', 'format': 'date-time'}
UUID_OUT = {'type': 'string', 'format': 'uuid'}


def obj(required, **props):
    return {'type': 'object', 'required': list(required),
            'properties': props}


ERRORS = {
    'Error': obj(
        ['status', 'code', 'title', 'detail'],
        status={'type': 'integer', 'minimum': 400, 'maximum': 599},
        code=STRING, title=STRING, detail=STRING, request_id=STRING,
        source=obj([], pointer=STRING)),
    'Errors': obj(['errors'], errors={'type': 'array', 'minItems': 1,
                                      'items': ref('Error')}),
    'VersionDocument': obj(
        ['id', 'status', 'min_version', 'max_version', 'links'],
        id=STRING, status=STRING, min_version=STRING, max_version=STRING,
        links={'type': 'array', 'items': obj(['rel', 'href'], rel=STRING,
                                             href=STRING)},
        **{'media-types': {'type': 'array', 'items': {'type': 'object'}}}),
}


def error_responses(*codes):
    reasons = {400: 'Invalid input', 401: 'No valid token',
               403: 'Forbidden by policy', 404: 'Not found (or not visible)',
               405: 'Method not allowed', 406: 'Unsupported microversion',
               409: 'Conflict', 413: 'Body too large',
               415: 'Body is not JSON', 503: 'A backend is unavailable'}
    answers = {str(code): {
        'description': reasons[code],
        'content': {'application/json': {'schema': ref('Errors')}}}
        for code in codes}
    if 503 in codes:
        answers['503']['headers'] = {'Retry-After': {
            'description': 'Seconds to wait before trying again',
            'required': True, 'schema': {'type': 'integer', 'minimum': 0}}}
    return answers


def json_response(description, schema, status='200'):
    return {status: {'description': description,
                     'content': {'application/json': {'schema': schema}}}}


def no_content(description):
    return {'204': {'description': description}}


def page_of(key, item):
    return obj([key], **{key: {'type': 'array', 'items': ref(item)}},
               next=STRING)


def query(name, schema, description=None):
    param = {'name': name, 'in': 'query', 'required': False,
             'schema': schema}
    if description:
        param['description'] = description
    return param


def list_params(filters, time_filters, statuses, sort_keys,
                paged=True, sort=True):
    params = []
    for name in filters:
        if name == 'status':
            params.append(query(name, {'type': 'string',
                                       'enum': list(statuses)}))
        else:
            params.append(query(name, {'type': 'string', 'maxLength': 255}))
    for name in time_filters:
        params.append(query(name, portable(v.TIME)))
    if paged:
        params += [query('limit', {'type': 'integer', 'minimum': 1}),
                   query('marker', {'type': 'string', 'format': 'uuid'},
                         'The uuid of the last item seen.')]
    if sort:
        params += [query('sort_key', {'type': 'string',
                                      'enum': list(sort_keys)}),
                   query('sort_dir', {'type': 'string',
                                      'enum': ['asc', 'desc']})]
    return params


def path_param(name, schema=None):
    return {'name': name, 'in': 'path', 'required': True,
            'schema': schema or {'type': 'string', 'format': 'uuid'}}


def body(schema_name):
    return {'required': True, 'content': {'application/json': {
        'schema': ref(schema_name)}}}


def operation(op_id, summary, responses, params=(), request=None,
              public=False):
    op = {'operationId': op_id, 'summary': summary}
    params = list(params)
    if not public:
        params.append({'$ref': '#/components/parameters/ApiVersion'})
    if params:
        op['parameters'] = params
    if request:
        op['requestBody'] = body(request)
    op['responses'] = responses
    if public:
        op['security'] = []
    return op


def document(title, description, versions_module, paths, schemas):
    service_type = versions_module.SERVICE_TYPE
    root_paths = {
        '/': {'get': operation(
            'versions', 'Version discovery (public)',
            json_response('The versions of this API', obj(
                ['versions'], versions={'type': 'array',
                                        'items': ref('VersionDocument')})),
            public=True)},
        '/v1': {'get': operation(
            'version_v1', 'The v1 version document (public)',
            json_response('Version 1', obj(
                ['version'], version=ref('VersionDocument'))),
            public=True)},
    }
    return {
        'openapi': '3.1.0',
        'info': {
            'title': title,
            'version': str(versions_module.MAX_VERSION),
            'description': description + (
                '\n\nGenerated by tools/openapi.py from the handlers\' '
                'schemas; do not edit by hand. Microversions: send '
                f'"OpenStack-API-Version: {service_type} X.Y" '
                f'({versions_module.MIN_VERSION} to '
                f'{versions_module.MAX_VERSION}). Every error answers '
                'application/json in the API-SIG format (Errors).'),
        },
        'security': [{'keystone': []}],
        'paths': {**root_paths, **paths},
        'components': {
            'securitySchemes': {'keystone': {
                'type': 'apiKey', 'in': 'header', 'name': 'X-Auth-Token',
                'description': 'A Keystone token.'}},
            'parameters': {'ApiVersion': {
                'name': 'OpenStack-API-Version', 'in': 'header',
                'required': False,
                'schema': {'type': 'string', 'maxLength': 64},
                'example': f'{service_type} 1.0'}},
            'schemas': {**ERRORS, **schemas},
        },
    }


AUTH_ERRORS = (400, 401, 403, 406)


# Market

def market():
    offer = obj(
        ['uuid', 'project_id', 'resource_type', 'resource_uuid',
         'resource_class', 'properties', 'start_time', 'end_time', 'price',
         'status'],
        uuid=UUID_OUT, project_id=STRING, provider=nullable(STRING),
        resource_type=STRING, resource_uuid=UUID_OUT, resource_class=STRING,
        properties={'type': 'object'}, start_time=TIME_OUT,
        end_time=TIME_OUT, price=NUMBER,
        status={'enum': list(market_db.OFFER_STATUSES)},
        status_reason=nullable(STRING), created_at=TIME_OUT,
        updated_at=TIME_OUT, cleaning_gap=nullable(INTEGER))
    bid = obj(
        ['uuid', 'project_id', 'quantity', 'start_time', 'duration',
         'price', 'status'],
        uuid=UUID_OUT, project_id=STRING, quantity=INTEGER,
        resource_class=nullable(STRING),
        constraints={'type': 'array', 'items': {'type': 'object'}},
        start_time=TIME_OUT, latest_start_time=TIME_OUT, duration=INTEGER,
        price=NUMBER, decide_by=nullable(TIME_OUT),
        status={'enum': list(market_db.BID_STATUSES)},
        status_reason=nullable(STRING), created_at=TIME_OUT,
        updated_at=TIME_OUT)
    # price, cost and bid_uuid are the renter's (and admins'); a node's price
    # is what its owner receives, shown to that owner (and admins) only.
    contract = obj(
        ['uuid', 'project_id', 'start_time', 'end_time', 'status', 'nodes'],
        uuid=UUID_OUT, bid_uuid=UUID_OUT, project_id=STRING,
        round_id=nullable(STRING), start_time=TIME_OUT, end_time=TIME_OUT,
        price=NUMBER, cost=NUMBER,
        status={'enum': list(market_db.CONTRACT_STATUSES)},
        status_reason=nullable(STRING),
        offer_uuids={'type': 'array', 'items': UUID_OUT},
        resource_uuids={'type': 'array', 'items': UUID_OUT},
        owner_project_ids={'type': 'array', 'items': STRING},
        nodes={'type': 'array', 'items': obj(
            ['offer_uuid', 'resource_uuid', 'owner_project_id'],
            offer_uuid=UUID_OUT, resource_uuid=UUID_OUT,
            owner_project_id=STRING, price=NUMBER, end_time=TIME_OUT,
            booked_until=TIME_OUT, ended_at=nullable(TIME_OUT),
            end_kind=nullable(STRING), end_reason=nullable(STRING),
            lent_at=nullable(TIME_OUT), reclaimed_at=nullable(TIME_OUT))},
        fees=NUMBER, warned_at=nullable(TIME_OUT),
        created_at=TIME_OUT, updated_at=TIME_OUT)
    event = obj(
        ['id', 'project_id', 'object_type', 'object_uuid', 'event_type'],
        id=INTEGER, project_id=STRING, object_type=STRING,
        object_uuid=UUID_OUT, event_type=STRING, detail={'type': 'object'},
        created_at=TIME_OUT)
    cloud = obj(
        ['name', 'keystone_url'], name=STRING,
        description=nullable(STRING), keystone_url=STRING,
        site=nullable(STRING), endpoints={'type': 'object'},
        created_at=TIME_OUT, updated_at=TIME_OUT)
    organization = obj(
        ['uuid', 'name', 'projects'], uuid=UUID_OUT, name=STRING,
        description=nullable(STRING),
        projects={'type': 'array', 'items': obj(
            ['cloud', 'project_id'], cloud=STRING, project_id=STRING)},
        created_at=TIME_OUT, updated_at=TIME_OUT)
    uuid = path_param('uuid')
    cloud_name = path_param('name', STRING)
    paths = {
        '/v1/offers': {
            'get': operation(
                'list_offers', 'Open offers and the caller\'s own',
                {**json_response('A page of offers', page_of('offers',
                                                             'Offer')),
                 **error_responses(*AUTH_ERRORS)},
                list_params(market_offers.FILTERS, market_offers.TIME_FILTERS,
                            market_db.OFFER_STATUSES, market_db.SORT_KEYS)),
            'post': operation(
                'create_offer', 'Publish an offer (service or admin)',
                {**json_response('The offer', ref('Offer'), '201'),
                 **error_responses(*AUTH_ERRORS, 409, 413, 415)},
                request='CreateOffer'),
        },
        '/v1/offers/{uuid}': {
            'get': operation(
                'show_offer', 'An open offer, or one of the caller\'s',
                {**json_response('The offer', ref('Offer')),
                 **error_responses(*AUTH_ERRORS, 404)}, [uuid]),
            'delete': operation(
                'cancel_offer', 'Withdraw an offer (owner member, service, '
                'admin)',
                {**json_response('The cancelled offer', ref('Offer')),
                 **error_responses(*AUTH_ERRORS, 404, 409)}, [uuid]),
        },
        '/v1/bids': {
            'get': operation(
                'list_bids', 'The caller\'s project\'s bids (sealed)',
                {**json_response('A page of bids', page_of('bids', 'Bid')),
                 **error_responses(*AUTH_ERRORS)},
                list_params(market_bids.FILTERS, market_bids.TIME_FILTERS,
                            market_db.BID_STATUSES,
                            market_db.SORT_KEYS[:-2] + ('price',))),
            'post': operation(
                'create_bid', 'Bid for nodes (project member)',
                {**json_response('The bid', ref('Bid'), '201'),
                 **error_responses(*AUTH_ERRORS, 409, 413, 415)},
                request='CreateBid'),
        },
        '/v1/bids/{uuid}': {
            'get': operation(
                'show_bid', 'One of the caller\'s bids (others: 404)',
                {**json_response('The bid', ref('Bid')),
                 **error_responses(*AUTH_ERRORS, 404)}, [uuid]),
            'delete': operation(
                'cancel_bid', 'Cancel an open bid',
                {**json_response('The cancelled bid', ref('Bid')),
                 **error_responses(*AUTH_ERRORS, 404, 409)}, [uuid]),
        },
        '/v1/contracts': {
            'get': operation(
                'list_contracts', 'Contracts the caller rents or owns nodes '
                'in',
                {**json_response('A page of contracts',
                                 page_of('contracts', 'Contract')),
                 **error_responses(*AUTH_ERRORS)},
                list_params(market_contracts.FILTERS,
                            market_contracts.TIME_FILTERS,
                            market_db.CONTRACT_STATUSES,
                            market_db.SORT_KEYS)),
        },
        '/v1/contracts/{uuid}': {
            'get': operation(
                'show_contract', 'A contract the caller is party to',
                {**json_response('The contract', ref('Contract')),
                 **error_responses(*AUTH_ERRORS, 404)}, [uuid]),
        },
        '/v1/contracts/{uuid}/return': {
            'post': operation(
                'return_contract', 'Return a contract early, all its nodes '
                'or some (renter member; 1.1)',
                {**json_response('The contract', ref('Contract')),
                 **error_responses(*AUTH_ERRORS, 404, 409)}, [uuid],
                request='ReturnContract'),
        },
        '/v1/contracts/{uuid}/extend': {
            'post': operation(
                'extend_contract', 'More time on the same nodes, if every '
                'node is free (renter member; 1.1)',
                {**json_response('The contract', ref('Contract')),
                 **error_responses(*AUTH_ERRORS, 404, 409)}, [uuid],
                request='ExtendContract'),
        },
        '/v1/contracts/{uuid}/revoke': {
            'post': operation(
                'revoke_contract', 'End a contract with a reason (owner '
                'member: its nodes; system admin: all; 1.1)',
                {**json_response('The contract', ref('Contract')),
                 **error_responses(*AUTH_ERRORS, 404, 409)}, [uuid],
                request='RevokeContract'),
        },
        '/v1/offers/{uuid}/withdraw': {
            'post': operation(
                'withdraw_offer', 'Withdraw the unsold rest of an offer; '
                'contracts stand (1.1)',
                {**json_response('The offer', ref('Offer')),
                 **error_responses(*AUTH_ERRORS, 404, 409)}, [uuid],
                request='WithdrawOffer'),
        },
        '/v1/offers/{uuid}/availability': {
            'get': operation(
                'offer_availability', 'What of the offer\'s node is booked '
                'when, and what is free (owner, system reader; 1.1)',
                {**json_response('The calendar', {'type': 'object'}),
                 **error_responses(*AUTH_ERRORS, 404)}, [uuid]),
        },
        '/v1/statements': {
            'get': operation(
                'show_statement', 'A period\'s charges: paid, refunds, '
                'fees, earned, exact decimals as strings (1.1)',
                {**json_response('The statement', {'type': 'object'}),
                 **error_responses(*AUTH_ERRORS, 404)},
                [query('period', {'type': 'string',
                                  'pattern': r'^\d{4}-\d{2}$'}),
                 query('project_id', {'type': 'string'})]),
        },
        '/v1/reliability': {
            'get': operation(
                'show_reliability', 'Contracts and revocations per owner '
                '(1.1)',
                {**json_response('Owners', {'type': 'object'}),
                 **error_responses(*AUTH_ERRORS)},
                [query('owner_project_id', {'type': 'string'})]),
        },
        '/v1/contracts/{uuid}/access': {
            'get': operation(
                'show_contract_access', 'The renter\'s credential for the '
                'nodes\' cloud (renter member, renter of another cloud)',
                {**json_response('The access', obj(
                    ['contract_uuid', 'access'], contract_uuid=UUID_OUT,
                    access={'type': 'object'})),
                 **error_responses(*AUTH_ERRORS, 404)}, [uuid]),
            'put': operation(
                'set_contract_access', 'The nodes\' cloud\'s provider hands '
                'a renter of another cloud its credential (1.3)',
                {**json_response('The contract', {'type': 'object'}),
                 **error_responses(*AUTH_ERRORS, 404, 409)}, [uuid],
                request='SetContractAccess'),
        },
        '/v1/contracts/{uuid}/status': {
            'put': operation(
                'report_contract_status', 'Its provider reports a contract '
                'active, completed or failed (1.3)',
                {**json_response('The contract, as its provider sees it',
                                 {'type': 'object'}),
                 **error_responses(*AUTH_ERRORS, 404, 409)}, [uuid],
                request='ReportContractStatus'),
        },
        '/v1/contracts/{uuid}/deliveries': {
            'post': operation(
                'report_delivery', 'Its provider reports when it lent or '
                'reclaimed a node of the contract (1.3)',
                {**json_response('The contract, as its provider sees it',
                                 {'type': 'object'}),
                 **error_responses(*AUTH_ERRORS, 404)}, [uuid],
                request='ReportDelivery'),
        },
        '/v1/clouds': {
            'get': operation(
                'list_clouds', 'The clouds that trade on this market',
                {**json_response('Clouds', obj(['clouds'], clouds={
                    'type': 'array', 'items': ref('Cloud')})),
                 **error_responses(*AUTH_ERRORS)}),
            'post': operation(
                'create_cloud', 'Register a cloud (system admin)',
                {**json_response('The cloud', ref('Cloud'), '201'),
                 **error_responses(*AUTH_ERRORS, 409, 413, 415)},
                request='CreateCloud'),
        },
        '/v1/clouds/{name}': {
            'get': operation(
                'show_cloud', 'A cloud',
                {**json_response('The cloud', ref('Cloud')),
                 **error_responses(*AUTH_ERRORS, 404)}, [cloud_name]),
            'delete': operation(
                'delete_cloud', 'Remove a cloud no organization uses '
                '(system admin)',
                {**no_content('Removed'),
                 **error_responses(*AUTH_ERRORS, 404, 409)}, [cloud_name]),
        },
        '/v1/organizations': {
            'get': operation(
                'list_organizations', 'Every organization (system reader), '
                'or the caller\'s',
                {**json_response('Organizations', obj(
                    ['organizations'], organizations={
                        'type': 'array', 'items': ref('Organization')})),
                 **error_responses(*AUTH_ERRORS)}),
            'post': operation(
                'create_organization', 'Create an organization (system '
                'admin)',
                {**json_response('The organization', ref('Organization'),
                                 '201'),
                 **error_responses(*AUTH_ERRORS, 409, 413, 415)},
                request='CreateOrganization'),
        },
        '/v1/organizations/{uuid}': {
            'get': operation(
                'show_organization', 'An organization the caller sees',
                {**json_response('The organization', ref('Organization')),
                 **error_responses(*AUTH_ERRORS, 404)}, [uuid]),
            'delete': operation(
                'delete_organization', 'Delete an organization (system '
                'admin)',
                {**no_content('Deleted'),
                 **error_responses(*AUTH_ERRORS, 404, 409)}, [uuid]),
        },
        '/v1/organizations/{uuid}/projects': {
            'post': operation(
                'add_organization_project', 'A project of a cloud takes '
                'part as the organization (that cloud\'s system admin)',
                {**json_response('The organization', ref('Organization'),
                                 '201'),
                 **error_responses(*AUTH_ERRORS, 404, 409, 413, 415)},
                [uuid], request='AddOrganizationProject'),
        },
        '/v1/organizations/{uuid}/projects/{cloud}/{project_id}': {
            'delete': operation(
                'remove_organization_project', 'The project no longer '
                'takes part (that cloud\'s system admin)',
                {**no_content('Removed'),
                 **error_responses(*AUTH_ERRORS, 404)},
                [uuid, path_param('cloud', STRING),
                 path_param('project_id', STRING)]),
        },
        '/v1/events': {
            'get': operation(
                'list_events', 'What happened to the caller\'s orders and '
                'contracts',
                {**json_response('Events', obj(['events'], events={
                    'type': 'array', 'items': ref('Event')})),
                 **error_responses(*AUTH_ERRORS)},
                [query('since', {'type': 'integer', 'minimum': 0}),
                 query('object_uuid', {'type': 'string', 'format': 'uuid'}),
                 query('limit', {'type': 'integer', 'minimum': 1})]),
        },
    }
    schemas = {
        'CreateOffer': portable(market_offers.CREATE_SCHEMA),
        'CreateBid': portable(market_bids.CREATE_SCHEMA),
        'ReturnContract': portable(market_lifecycle.RETURN_SCHEMA),
        'ExtendContract': portable(market_lifecycle.EXTEND_SCHEMA),
        'ReportContractStatus': portable(market_contracts.STATUS_SCHEMA),
        'ReportDelivery': portable(market_contracts.DELIVERY_SCHEMA),
        'SetContractAccess': portable(market_contracts.ACCESS_SCHEMA),
        'RevokeContract': portable(market_lifecycle.REVOKE_SCHEMA),
        'WithdrawOffer': portable(market_lifecycle.WITHDRAW_SCHEMA),
        'CreateCloud': portable(market_clouds.CREATE_SCHEMA),
        'CreateOrganization': portable(market_orgs.CREATE_SCHEMA),
        'AddOrganizationProject': portable(market_orgs.PROJECT_SCHEMA),
        'Offer': offer, 'Bid': bid, 'Contract': contract, 'Event': event,
        'Cloud': cloud, 'Organization': organization,
    }
    return document(
        'FLOCX marketplace API',
        'Offers of bare-metal nodes, sealed bids, and the contracts the '
        'auction makes between them.', market_versions, paths, schemas)


# Auction

def auction():
    round_ = obj(
        ['id', 'started_at', 'finished_at', 'mechanism', 'offers_in',
         'bids_in', 'contracts', 'clearing_prices'],
        id=STRING, host=STRING, started_at=TIME_OUT, finished_at=TIME_OUT,
        mechanism=STRING, offers_in=INTEGER, bids_in=INTEGER,
        contracts=INTEGER,
        contract_uuids={'type': 'array', 'items': UUID_OUT,
                        'description': 'Admin and service only.'},
        refused={'description': 'Contracts the market refused as stale: '
                                'a count, or the list (bid uuid, reason) '
                                'for admin and service.',
                 'oneOf': [INTEGER, {'type': 'array',
                                     'items': {'type': 'object'}}]},
        rejected={'description': 'Bids answered "no": a count, or their '
                                 'uuids for admin and service.',
                  'oneOf': [INTEGER, {'type': 'array', 'items': UUID_OUT}]},
        welfare={'type': 'number', 'description': 'Admin and service only '
                 '(it is computed from bid prices).'},
        stats={'type': 'object', 'description': 'Admin and service only.'},
        clearing_prices={'type': 'object',
                         'additionalProperties': NUMBER},
        duration_ms=NUMBER)
    status = obj(
        ['leader', 'mechanism', 'book'],
        leader={'type': 'boolean'}, host=STRING, member_id=STRING,
        mechanism=STRING, round_interval=NUMBER, answer_before_start=NUMBER,
        book=obj(['offers', 'bids'], offers=INTEGER, bids=INTEGER),
        last_round=nullable(ref('Round')))
    mechanism = obj(
        ['name', 'description', 'available'], name=STRING,
        description=STRING,
        available={'type': 'array', 'items': obj(
            ['name', 'description'], name=STRING, description=STRING)})
    prices = obj(
        ['prices', 'depth'],
        prices={'type': 'array', 'items': obj(
            ['resource_class', 'round_id', 'time', 'price'],
            resource_class=STRING, round_id=STRING, time=TIME_OUT,
            price=NUMBER)},
        depth={'type': 'array', 'items': obj(
            ['resource_class', 'offers', 'nodes_on_offer', 'lowest_ask',
             'bids', 'nodes_wanted'],
            resource_class=STRING, offers=INTEGER, nodes_on_offer=INTEGER,
            lowest_ask=nullable(NUMBER), bids=INTEGER,
            nodes_wanted=INTEGER)})
    paths = {
        '/v1/status': {'get': operation(
            'show_status', 'The leading engine\'s status',
            {**json_response('Status', ref('Status')),
             **error_responses(*AUTH_ERRORS, 503)})},
        '/v1/mechanism': {'get': operation(
            'show_mechanism', 'The clearing mechanism in use',
            {**json_response('Mechanism', ref('Mechanism')),
             **error_responses(*AUTH_ERRORS)})},
        '/v1/rounds': {
            'get': operation(
                'list_rounds', 'Clearing rounds, newest first (aggregates)',
                {**json_response('Rounds', obj(['rounds'], rounds={
                    'type': 'array', 'items': ref('Round')}, next=STRING)),
                 **error_responses(*AUTH_ERRORS, 503)},
                [query('limit', {'type': 'integer', 'minimum': 1}),
                 query('marker', {'type': 'string', 'format': 'uuid'})]),
            'post': operation(
                'start_round', 'Clear the market now (admin)',
                {**json_response('The round', ref('Round'), '201'),
                 **error_responses(*AUTH_ERRORS, 503)}),
        },
        '/v1/rounds/{round_id}': {'get': operation(
            'show_round', 'One round (aggregates)',
            {**json_response('The round', ref('Round')),
             **error_responses(*AUTH_ERRORS, 404, 503)},
            [path_param('round_id')])},
        '/v1/prices': {'get': operation(
            'list_prices', 'Clearing prices and market depth (aggregates '
            'only; no bid price is revealed)',
            {**json_response('Prices', ref('Prices')),
             **error_responses(*AUTH_ERRORS, 503)},
            [query('resource_class', {'type': 'string', 'maxLength': 255}),
             query('since', portable(v.TIME))])},
    }
    schemas = {'Round': round_, 'Status': status, 'Mechanism': mechanism,
               'Prices': prices}
    return document(
        'FLOCX auction API',
        'The auction engine: its status and mechanism, its clearing '
        'rounds and the prices they set.', auction_versions, paths, schemas)


# Provider

def provider():
    offer = obj(
        ['uuid', 'project_id', 'node_uuid', 'start_time', 'end_time',
         'price', 'status'],
        uuid=UUID_OUT, project_id=STRING, node_uuid=UUID_OUT,
        market_offer_uuid=nullable(UUID_OUT), resource_class=STRING,
        properties={'type': 'object'}, start_time=TIME_OUT,
        end_time=TIME_OUT, price=NUMBER,
        status={'enum': list(provider_db.OFFER_STATUSES)},
        status_reason=nullable(STRING), created_at=TIME_OUT,
        updated_at=TIME_OUT)
    lease = obj(
        ['uuid', 'project_id', 'lessee_project_id', 'node_uuid',
         'start_time', 'end_time', 'status'],
        uuid=UUID_OUT, project_id=STRING, lessee_project_id=STRING,
        node_uuid=UUID_OUT, start_time=TIME_OUT, end_time=TIME_OUT,
        status={'enum': list(provider_db.LEASE_STATUSES)},
        status_reason=nullable(STRING), created_at=TIME_OUT,
        updated_at=TIME_OUT)
    node = obj(
        ['uuid', 'name', 'resource_class', 'properties', 'provision_state',
         'maintenance', 'offerable', 'not_offerable_reason'],
        uuid=UUID_OUT, name=nullable(STRING), resource_class=STRING,
        properties={'type': 'object'}, provision_state=STRING,
        maintenance={'type': 'boolean'}, offerable={'type': 'boolean'},
        not_offerable_reason=nullable(STRING))
    uuid = path_param('uuid')
    paths = {
        '/v1/nodes': {
            'get': operation(
                'list_nodes', 'The Ironic nodes the caller\'s project owns, '
                'with the hardware an offer of each carries',
                {**json_response('The nodes', obj(['nodes'], nodes={
                    'type': 'array', 'items': ref('Node')})),
                 **error_responses(*AUTH_ERRORS, 503)}),
        },
        '/v1/offers': {
            'get': operation(
                'list_offers', 'The caller\'s project\'s offers',
                {**json_response('A page of offers', page_of(
                    'offers', 'ProviderOffer')),
                 **error_responses(*AUTH_ERRORS)},
                list_params(provider_offers.FILTERS,
                            provider_offers.TIME_FILTERS,
                            provider_db.OFFER_STATUSES,
                            provider_db.SORT_KEYS)),
            'post': operation(
                'create_offer', 'Offer a node the caller\'s project owns '
                'in Ironic (member)',
                {**json_response('The offer', ref('ProviderOffer'), '201'),
                 **error_responses(*AUTH_ERRORS, 404, 409, 413, 415,
                                   503)},
                request='CreateProviderOffer'),
        },
        '/v1/offers/{uuid}': {
            'get': operation(
                'show_offer', 'One of the caller\'s offers',
                {**json_response('The offer', ref('ProviderOffer')),
                 **error_responses(*AUTH_ERRORS, 404)}, [uuid]),
            'delete': operation(
                'cancel_offer', 'Withdraw an offer here and in the market',
                {**json_response('The offer', ref('ProviderOffer')),
                 **error_responses(*AUTH_ERRORS, 404, 409, 503)}, [uuid]),
        },
        '/v1/leases': {
            'get': operation(
                'list_leases', 'Leases the caller\'s project gives or '
                'receives',
                {**json_response('A page of leases', page_of('leases',
                                                             'Lease')),
                 **error_responses(*AUTH_ERRORS)},
                list_params(provider_leases.FILTERS,
                            provider_leases.TIME_FILTERS,
                            provider_db.LEASE_STATUSES,
                            provider_db.SORT_KEYS)),
            'post': operation(
                'create_lease', 'Lend a node to a child project (admin or '
                'manager of the owner)',
                {**json_response('The lease', ref('Lease'), '201'),
                 **error_responses(*AUTH_ERRORS, 404, 409, 413, 415,
                                   503)},
                request='CreateLease'),
        },
        '/v1/leases/{uuid}': {
            'get': operation(
                'show_lease', 'A lease the caller gives or receives',
                {**json_response('The lease', ref('Lease')),
                 **error_responses(*AUTH_ERRORS, 404)}, [uuid]),
            'delete': operation(
                'cancel_lease', 'End a lease',
                {**json_response('The lease', ref('Lease')),
                 **error_responses(*AUTH_ERRORS, 404, 409, 503)}, [uuid]),
        },
    }
    schemas = {
        'CreateProviderOffer': portable(provider_offers.CREATE_SCHEMA),
        'CreateLease': portable(provider_leases.CREATE_SCHEMA),
        'ProviderOffer': offer, 'Lease': lease, 'Node': node,
    }
    return document(
        'FLOCX provider API',
        'One OpenStack deployment\'s Ironic nodes, offered on the market '
        'or lent inside an organization.', provider_versions, paths,
        schemas)


BUILDERS = {'market': market, 'auction': auction, 'provider': provider}


def render(api):
    header = ('# Generated by tools/openapi.py from the handlers\' '
              'schemas: do not edit.\n')
    return header + yaml.safe_dump(BUILDERS[api](), sort_keys=False,
                                   width=79, allow_unicode=True)


def load(api):
    """The committed description of ``api`` as a dict."""
    with open(os.path.join(ROOT, FILES[api])) as f:
        return yaml.safe_load(f)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    check = '--check' in argv
    stale = []
    for api, relpath in FILES.items():
        path = os.path.join(ROOT, relpath)
        text = render(api)
        try:
            with open(path) as f:
                current = f.read()
        except FileNotFoundError:
            current = None
        if current == text:
            continue
        stale.append(relpath)
        if not check:
            with open(path, 'w') as f:
                f.write(text)
    if check and stale:
        print('Stale (run python tools/openapi.py): ' + ', '.join(stale))
        return 1
    for relpath in stale:
        print(f'wrote {relpath}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
