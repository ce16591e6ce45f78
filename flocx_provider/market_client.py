"""The market's REST API, as a member cloud's provider calls it.

The same calls as ``flocx_market.rpcapi.MarketAPI`` makes for a provider,
through the market's API instead of its bus (``[market] channel = rest``;
see conf/market.py): the token is this cloud's service user's, validated by
this cloud's Keystone at the market's request. The market's answers come
back as the same ``errors.APIError`` classes its RPC server raises, so the
provider handles both channels alike.
"""

from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1 import loading
from oslo_log import log

from flocx_common.api import errors
from flocx_common import money

LOG = log.getLogger(__name__)

API_VERSION = 'marketplace 1.3'
CLOUD_HEADER = 'OpenStack-Market-Cloud'
# Statuses the market answers with, as the errors its RPC server raises.
ERRORS = {400: errors.BadRequest, 401: errors.Unauthorized,
          403: errors.Forbidden, 404: errors.NotFound,
          409: errors.Conflict, 503: errors.ServiceUnavailable}


class MarketREST:
    def __init__(self, conf, timeout=30, provider=None):
        group = conf.market
        if not group.cloud:
            raise ValueError('[market] channel = rest needs [market] cloud: '
                             'this provider\'s cloud as the market knows it')
        auth = loading.load_auth_from_conf_options(conf, 'market')
        session = loading.load_session_from_conf_options(
            conf, 'market', auth=auth)
        self.api = loading.load_adapter_from_conf_options(
            conf, 'market', session=session, auth=auth)
        self.cloud = group.cloud
        self.timeout = timeout
        self.provider = provider

    # Offers

    def publish_offer(self, ctx, offer):
        return self._call(ctx, 'POST', '/v1/offers', offer)

    def cancel_offer(self, ctx, uuid):
        return self._call(ctx, 'DELETE', f'/v1/offers/{uuid}')

    def list_offers(self, ctx, provider, status=None):
        return self._all(ctx, '/v1/offers', 'offers',
                         provider=provider, status=status)

    # Contracts on this cloud's nodes

    def list_contracts(self, ctx, provider, status=None):
        # The market shows a member cloud's provider the contracts on its
        # cloud's nodes, with project ids as this cloud names them.
        return self._all(ctx, '/v1/contracts', 'contracts', status=status)

    def update_contract(self, ctx, uuid, status, reason=None):
        return self._call(ctx, 'PUT', f'/v1/contracts/{uuid}/status',
                          {'status': status, 'reason': reason})

    def report_delivery(self, ctx, uuid, resource_uuid, lent_at=None,
                        reclaimed_at=None):
        body = {'resource_uuid': resource_uuid}
        if lent_at:
            body['lent_at'] = lent_at
        if reclaimed_at:
            body['reclaimed_at'] = reclaimed_at
        return self._call(ctx, 'POST', f'/v1/contracts/{uuid}/deliveries',
                          body)

    def set_contract_access(self, ctx, uuid, access):
        """Secret: the renter's credential; never logged."""
        return self._call(ctx, 'PUT', f'/v1/contracts/{uuid}/access',
                          {'access': access})

    # HTTP

    def _all(self, ctx, path, key, **params):
        items, url = [], path
        params = {k: v for k, v in params.items() if v} | {'limit': 1000}
        while url:
            page = self._call(ctx, 'GET', url, params=params)
            items.extend(page[key])
            # The next page's link carries the query along.
            url, params = page.get('next'), None
        return items

    def _call(self, ctx, method, url, body=None, params=None):
        headers = {'OpenStack-API-Version': API_VERSION,
                   CLOUD_HEADER: self.cloud}
        data = None
        if body is not None:
            # Prices exactly as the owner wrote them (keystoneauth's JSON
            # encoder writes no Decimal).
            data = money.dumps(body)
            headers['Content-Type'] = 'application/json'
        try:
            resp = self.api.request(
                url, method, data=data, params=params, headers=headers,
                raise_exc=False, timeout=self.timeout,
                global_request_id=getattr(ctx, 'global_id', None))
        except ks_exceptions.ConnectionError as e:
            raise errors.ServiceUnavailable(
                f'The market is unreachable: {e}')
        except ks_exceptions.ClientException as e:
            # Keystone did not give this cloud's service user a token.
            raise errors.ServiceUnavailable(
                f'This provider could not authenticate to reach the '
                f'market: {e}')
        if resp.status_code < 400:
            return resp.json() if resp.content else None
        error = _error_of(resp)
        LOG.warning('The market answered %s %s with %s: %s', method,
                    url.split('?')[0], resp.status_code, error.detail)
        raise error


def _error_of(resp):
    try:
        first = resp.json()['errors'][0]
        detail, code = first.get('detail'), first.get('code')
    except (ValueError, KeyError, IndexError, TypeError):
        detail, code = resp.text[:200] or resp.reason, None
    cls = ERRORS.get(resp.status_code, errors.ServiceUnavailable)
    return cls(detail or f'HTTP {resp.status_code}', code=code)
