"""A short market on a local FLOCX: offers, a bid, a round, a lease.

Every step goes through the public APIs with the demo organizations' own
Keystone tokens, as a user would: org-a offers nodes through its provider,
org-b bids on the market, an admin clears a round, the provider makes org-b
the node's lessee in Ironic, and org-c never sees the node.
"""

import datetime
import time

from openstack import exceptions as sdk_exc


class DemoError(RuntimeError):
    pass


def _iso(delta_seconds=0):
    moment = datetime.datetime.now(datetime.timezone.utc) + \
        datetime.timedelta(seconds=delta_seconds)
    return moment.replace(microsecond=0).isoformat()


def _call(session, method, url, **kwargs):
    resp = session.request(url, method, raise_exc=False, **kwargs)
    if resp.status_code >= 400:
        raise DemoError(f'{method} {url} answered {resp.status_code}: '
                        f'{resp.text[:500]}')
    return resp.json() if resp.content else None


def run(cloud, urls, say=print, nodes=3, lease_seconds=600, timeout=90):
    """Returns what happened, for tests: offers, bid, round, contract."""
    market, auction, provider = (urls['marketplace'], urls['auction'],
                                 urls['provider'])
    org_a = cloud.connect('flocx-org-a-member')
    org_b = cloud.connect('flocx-org-b-member')
    org_c = cloud.connect('flocx-org-c-member')
    admin = cloud.connect('flocx-admin')

    say(f'Demo: org-a enrolls {nodes} fake-hardware nodes in Ironic')
    node_ids = cloud.enroll_nodes('org-a', nodes,
                                  name_prefix=f'demo-{int(time.time())}')

    say('Demo: org-a offers two of them through its provider, '
        'at 1.00 and 1.50 per node-hour, for 4 hours')
    offers = [
        _call(org_a.session, 'POST', f'{provider}/v1/offers', json={
            'node': node_id, 'start_time': _iso(), 'end_time': _iso(4 * 3600),
            'price': price})
        for node_id, price in zip(node_ids[:2], (1.0, 1.5))]

    say(f'Demo: org-b bids for 1 node for {lease_seconds // 60} minutes at '
        'up to 3.00 per node-hour')
    bid = _call(org_b.session, 'POST', f'{market}/v1/bids', json={
        'quantity': 1, 'resource_class': 'baremetal',
        'constraints': [{'property': 'memory_mb', 'op': '>=',
                         'value': 8192}],
        'start_time': _iso(5), 'latest_start_time': _iso(600),
        'duration': lease_seconds, 'price': 3.0})

    say('Demo: the admin clears a round now')
    round_ = _call(admin.session, 'POST', f'{auction}/v1/rounds')
    say(f'Demo: round {round_["id"]}: {round_["contracts"]} contract(s), '
        f'welfare {round_["welfare"]:.2f}, clearing prices '
        f'{round_["clearing_prices"]}')
    contracts = _call(org_b.session, 'GET', f'{market}/v1/contracts',
                      params={'bid_uuid': bid['uuid']})['contracts']
    if not contracts:
        raise DemoError(f'the round made no contract for bid {bid["uuid"]}: '
                        f'{round_}')
    contract = contracts[0]
    node_id = contract['resource_uuids'][0]
    say(f'Demo: contract {contract["uuid"]}: node {node_id} for org-b from '
        f'{contract["start_time"]} to {contract["end_time"]} at '
        f'{contract["price"]:.2f}/node-hour (cost {contract["cost"]:.2f})')

    say('Demo: waiting for the provider to make org-b the node\'s lessee')
    org_b_project = cloud.project_id('org-b')
    deadline = time.monotonic() + timeout
    while True:
        try:
            node = org_b.baremetal.get_node(node_id)
            if node.lessee == org_b_project:
                break
        except sdk_exc.NotFoundException:
            pass
        if time.monotonic() > deadline:
            raise DemoError(f'org-b is not the lessee of {node_id} after '
                            f'{timeout} s; see the provider log')
        time.sleep(0.5)
    say(f'Demo: org-b now sees node {node_id} in Ironic as its lessee '
        f'(provision state {node.provision_state})')
    try:
        org_c.baremetal.get_node(node_id)
        raise DemoError('org-c can see a node it neither owns nor rents')
    except sdk_exc.NotFoundException:
        say('Demo: org-c does not see the node (404)')
    events = _call(org_b.session, 'GET', f'{market}/v1/events',
                   params={'object_uuid': contract['uuid']})['events']
    say('Demo: org-b was told: ' +
        ', '.join(e['event_type'] for e in events))
    say(f'Demo done: the contract ends at {contract["end_time"]}; the '
        'provider then takes the node back and cleans it.')
    return {'offers': offers, 'bid': bid, 'round': round_,
            'contract': contract, 'node_ids': node_ids}
