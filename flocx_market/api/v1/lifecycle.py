"""A contract's life after it is written, and its money (microversion 1.1).

``POST /v1/contracts/{uuid}/return|extend|revoke``, ``POST
/v1/offers/{uuid}/withdraw``, ``GET /v1/offers/{uuid}/availability`` (the
handlers are methods of the contracts and offers controllers, which call
the functions below), ``GET /v1/statements`` and ``GET /v1/reliability``.
"""

import datetime
import re

from oslo_utils import timeutils
import pecan
from pecan import rest

from flocx_common.api import errors
from flocx_common.api import helpers
from flocx_common.api import validation as v
from flocx_market.api import versions

NODES = {'type': 'array', 'minItems': 1, 'maxItems': 1000,
         'uniqueItems': True, 'items': v.UUID}
RETURN_SCHEMA = {
    'type': 'object', 'additionalProperties': False,
    'properties': {'nodes': NODES},
}
REVOKE_SCHEMA = {
    'type': 'object', 'additionalProperties': False, 'required': ['reason'],
    'properties': {'nodes': NODES,
                   'reason': {'type': 'string', 'minLength': 1,
                              'maxLength': 255}},
}
EXTEND_SCHEMA = {
    'type': 'object', 'additionalProperties': False,
    'required': ['end_time'],
    'properties': {'end_time': v.TIME},
}
WITHDRAW_SCHEMA = {
    'type': 'object', 'additionalProperties': False,
    'properties': {'reason': {'type': 'string', 'minLength': 1,
                              'maxLength': 255}},
}
PERIOD = re.compile(r'^(\d{4})-(\d{2})\Z')


def _body(schema):
    request = pecan.request
    if not request.body:
        return v.validate({}, schema)
    return v.validate(v.parse_json_body(request), schema)


def _contract(ctx, uuid):
    """The contract if the caller is a party to it (or reads the whole
    market); 404 otherwise, as GET does."""
    contract = pecan.request.services.db.get_contract(uuid)
    if contract is None or not (
            ctx.allowed('flocx:statement:all') or ctx.is_admin_reader or
            ctx.project_id in (contract['project_id'],
                               *contract['owner_project_ids'])):
        raise errors.NotFound(f'Contract {uuid} not found.')
    return contract


def return_contract(uuid):
    versions.require(pecan.request, versions.LIFECYCLE, 'Returning')
    ctx = pecan.request.context
    contract = _contract(ctx, uuid)
    ctx.can('flocx:contract:return', {'project_id': contract['project_id']})
    body = _body(RETURN_SCHEMA)
    return pecan.request.services.market.return_contract(
        ctx, uuid, body.get('nodes'))


def extend_contract(uuid):
    versions.require(pecan.request, versions.LIFECYCLE, 'Extending')
    ctx = pecan.request.context
    contract = _contract(ctx, uuid)
    ctx.can('flocx:contract:extend', {'project_id': contract['project_id']})
    body = _body(EXTEND_SCHEMA)
    end = v.parse_time(body['end_time'], 'end_time')
    limit = timeutils.utcnow() + datetime.timedelta(
        days=pecan.request.services.conf.market.max_window_days)
    if end > limit:
        raise errors.BadRequest(
            'end_time is further ahead than '
            f'{pecan.request.services.conf.market.max_window_days} days.',
            pointer='/end_time')
    return pecan.request.services.market.extend_contract(ctx, uuid, end)


def revoke_contract(uuid):
    versions.require(pecan.request, versions.LIFECYCLE, 'Revoking')
    ctx = pecan.request.context
    contract = _contract(ctx, uuid)
    owns = ctx.project_id in contract['owner_project_ids']
    # An owner revokes its own nodes; a market administrator any.
    target = ctx.project_id if owns else contract['owner_project_ids'][0]
    ctx.can('flocx:contract:revoke', {'project_id': target})
    body = _body(REVOKE_SCHEMA)
    is_market_admin = not owns
    return pecan.request.services.market.revoke_contract(
        ctx, uuid, body['reason'],
        owner=None if is_market_admin else ctx.project_id,
        resource_uuids=body.get('nodes'))


def withdraw_offer(offer):
    versions.require(pecan.request, versions.LIFECYCLE, 'Withdrawing')
    ctx = pecan.request.context
    ctx.can('flocx:offer:withdraw', {'project_id': offer['project_id']})
    body = _body(WITHDRAW_SCHEMA)
    return pecan.request.services.market.withdraw_offer(
        ctx, offer['uuid'], body.get('reason') or 'withdrawn by its owner')


def offer_availability(offer):
    versions.require(pecan.request, versions.LIFECYCLE, 'Availability')
    ctx = pecan.request.context
    ctx.can('flocx:offer:availability', {'project_id': offer['project_id']})
    return pecan.request.services.db.availability(offer['uuid'])


def parse_period(text, now=None):
    """'2026-12' -> (start, end) of that month, UTC; 400 if malformed or
    in the future."""
    now = now or timeutils.utcnow()
    match = PERIOD.match(text or '')
    if not match or not 1 <= int(match.group(2)) <= 12 or \
            int(match.group(1)) < 2000:
        raise errors.BadRequest(
            f'period must be a month as YYYY-MM, not {text!r}.',
            code='flocx.invalid_period')
    year, month = int(match.group(1)), int(match.group(2))
    start = datetime.datetime(year, month, 1)
    end = datetime.datetime(year + month // 12, month % 12 + 1, 1)
    if start > now:
        raise errors.BadRequest(f'period {text} is in the future.',
                                code='flocx.period_in_future')
    return start, end


class StatementsController(rest.RestController):

    @pecan.expose('json')
    def get_all(self, **params):
        versions.require(pecan.request, versions.LIFECYCLE, 'Statements')
        ctx = pecan.request.context
        helpers.check_params(params, ('period', 'project_id'))
        now = timeutils.utcnow()
        period = params.get('period') or now.strftime('%Y-%m')
        start, end = parse_period(period, now)
        sees_all = ctx.allowed('flocx:statement:all')
        project = params.get('project_id')
        projects = project
        if not sees_all:
            if not ctx.project_id:
                raise errors.Forbidden('Use a project-scoped token.',
                                       code='flocx.project_scope_required')
            # The organization's statement: what all its projects, in
            # every cloud, paid and earned (or one of them, if asked).
            projects = pecan.request.services.market.party_projects(ctx)
            if project not in (None, *projects):
                # Another organization's statement: as if it had none.
                raise errors.NotFound(f'No statement of project {project}.')
            ctx.can('flocx:statement:get', {'project_id': ctx.project_id})
            project = project or ctx.project_id
            if params.get('project_id'):
                projects = (project,)
        else:
            ctx.can('flocx:statement:get')
        statement = pecan.request.services.db.statement(start, end, projects)
        if projects is not None and not isinstance(projects, str):
            statement['projects'] = list(projects)
        if pecan.request.version < versions.STATEMENT_DAYS:
            statement.pop('days')
        return dict(statement, period=period, project_id=project,
                    start_time=start.isoformat() + '+00:00',
                    end_time=end.isoformat() + '+00:00')


class ReliabilityController(rest.RestController):

    @pecan.expose('json')
    def get_all(self, **params):
        versions.require(pecan.request, versions.LIFECYCLE, 'Reliability')
        ctx = pecan.request.context
        ctx.can('flocx:reliability:get')
        helpers.check_params(params, ('owner_project_id',))
        return {'owners': pecan.request.services.db.revocations(
            params.get('owner_project_id'))}
