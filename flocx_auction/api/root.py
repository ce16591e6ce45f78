"""The auction API's handlers.

Every answer that needs another service (the leading engine, the market)
comes within ``[auction] api_answer_timeout`` seconds or is a 503 with
Retry-After: the RPC runs in a worker thread and the handler waits for it
for that long at most, whatever the transport does (an RPC to an engine
that is down could otherwise hold the request for a minute, until the
server dropped the connection).
"""

from concurrent import futures

import oslo_messaging as messaging
import pecan
from pecan import rest

from flocx_auction.api import versions
from flocx_auction import mechanisms
from flocx_common.api import errors
from flocx_common.api import helpers
from flocx_common.api import pagination
from flocx_common.api import validation

# Threads that wait for RPC answers; one that outlives its request ends at
# the RPC's own timeout.
_WAITERS = futures.ThreadPoolExecutor(max_workers=16,
                                      thread_name_prefix='auction-api-rpc')
NO_LEADER = 'No auction engine is leading right now; try again shortly.'
NO_MARKET = 'The market does not answer right now; try again shortly.'


def _answer(unavailable, method, *args, timeout=None, **kwargs):
    """``method(*args, **kwargs)``, or 503 ``unavailable`` if no answer
    comes within ``timeout`` (default ``[auction] api_answer_timeout``)."""
    conf = pecan.request.services.conf
    bound = conf.auction.api_answer_timeout if timeout is None else timeout
    future = _WAITERS.submit(method, *args, **kwargs)
    try:
        return future.result(timeout=bound)
    except (futures.TimeoutError, messaging.MessagingTimeout,
            messaging.MessageUndeliverable, messaging.MessageDeliveryFailure):
        raise errors.ServiceUnavailable(unavailable)


def _leader_call(method, **kwargs):
    return _answer(NO_LEADER, method, pecan.request.context, **kwargs)


def _market_call(method, *args):
    return _answer(NO_MARKET, method, pecan.request.context, *args)


# What a round shows to projects: counts and prices, never which bids were
# in it. "rejected" and "refused" name bids, "contract_uuids" the contracts
# (and so their bids), "welfare" and "stats" are computed from bid prices:
# from the welfare of a round with one contract, the node's owner could
# work out the renter's bid.
_ADMIN_ONLY = ('contract_uuids', 'welfare', 'stats')


def _sealed(ctx, round_):
    """A round as ``ctx`` may see it: all of it for admins and services,
    aggregates only for projects."""
    if round_ is None or ctx.is_admin_reader:
        return round_
    shown = {k: v for k, v in round_.items() if k not in _ADMIN_ONLY}
    for key in ('rejected', 'refused'):
        if isinstance(shown.get(key), list):
            shown[key] = len(shown[key])
    return shown


class RoundsController(rest.RestController):

    @pecan.expose('json')
    def get_all(self, **params):
        ctx = pecan.request.context
        ctx.can('flocx:round:list')
        helpers.check_params(params, ('limit', 'marker'))
        conf = pecan.request.services.conf
        limit = pagination.parse_int(params, 'limit', 1, conf.api.max_limit,
                                     conf.api.default_limit)
        rounds = _market_call(pecan.request.services.market.list_rounds,
                              limit, params.get('marker'))
        body = {'rounds': [_sealed(ctx, r) for r in rounds]}
        if len(rounds) == limit:
            body['next'] = (f'{pecan.request.path_url}?limit={limit}'
                            f'&marker={rounds[-1]["id"]}')
        return body

    @pecan.expose('json')
    def get_one(self, round_id):
        ctx = pecan.request.context
        ctx.can('flocx:round:list')
        return _sealed(ctx, _market_call(
            pecan.request.services.market.get_round, round_id))

    @pecan.expose('json')
    def post(self):
        ctx = pecan.request.context
        ctx.can('flocx:round:start')
        auction = pecan.request.services.auction
        conf = pecan.request.services.conf
        # Is anyone leading? Asked with the short bound, so that without
        # a leader the answer is a quick 503; the round itself may be long.
        _leader_call(auction.status, timeout=conf.auction.api_answer_timeout)
        result = _answer(NO_LEADER, auction.start_round,
                         pecan.request.context,
                         timeout=conf.auction.api_answer_timeout + 300)
        pecan.response.status = 201
        return result


class V1Controller:
    rounds = RoundsController()

    @pecan.expose('json')
    def index(self):
        return {'version': versions.document(pecan.request)}

    @pecan.expose('json')
    def status(self):
        ctx = pecan.request.context
        ctx.can('flocx:auction:status')
        conf = pecan.request.services.conf
        status = _leader_call(pecan.request.services.auction.status,
                              timeout=conf.auction.api_answer_timeout)
        return dict(status, last_round=_sealed(ctx, status.get('last_round')))

    @pecan.expose('json')
    def mechanism(self):
        ctx = pecan.request.context
        ctx.can('flocx:auction:status')
        name = pecan.request.services.conf.auction.mechanism
        available = []
        for entry in sorted(mechanisms.BUILTIN):
            doc = (mechanisms.load(entry).__doc__ or '').strip()
            available.append({'name': entry,
                              'description': doc.split('\n\n')[0]})
        current = next((m for m in available if m['name'] == name),
                       {'name': name, 'description': ''})
        return dict(current, available=available)

    @pecan.expose('json')
    def prices(self, **params):
        ctx = pecan.request.context
        ctx.can('flocx:price:list')
        helpers.check_params(params, ('resource_class', 'since'))
        # Given, it is a time, even empty: '' reached the database as a
        # timestamp (a 500 on PostgreSQL).
        if 'since' in params:
            validation.parse_time(params['since'], 'since')
        return _market_call(pecan.request.services.market.market_prices,
                            params.get('resource_class'), params.get('since'))


class RootController:
    v1 = V1Controller()

    @pecan.expose('json')
    def index(self):
        return {'versions': [versions.document(pecan.request)]}
