"""A short market on a local FLOCX: offers, a bid, a round, a lease.

Every step goes through the public APIs with the demo organizations' own
Keystone tokens, as a user would: org-a offers nodes through its provider,
org-b bids on the market, an admin clears a round, the provider makes org-b
the node's lessee in Ironic, and org-c never sees the node.
"""

import datetime
import time

from openstack import exceptions as sdk_exc

from flocx_local import federation


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


def _renter_connection(access):
    """A connection to the nodes' cloud with the credential the renter was
    handed (flocx_provider/remote_access.py), and nothing else."""
    import openstack.connection

    return openstack.connection.Connection(
        auth_type='v3applicationcredential',
        auth={'auth_url': access['auth_url'],
              'application_credential_id':
                  access['application_credential_id'],
              'application_credential_secret':
                  access['application_credential_secret']},
        region_name='RegionOne', identity_api_version='3')


def _poll(what, fn, timeout, interval=1.0):
    """fn() until it returns something true; DemoError after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        result = fn()
        if result:
            return result
        if time.monotonic() > deadline:
            raise DemoError(f'{what}: not after {timeout} s')
        time.sleep(interval)


def run_two_clouds(home, member, urls, say=print, lease_seconds=60,
                   timeout=120):
    """Cloud 2's renter rents a node of cloud 1 and deploys it.

    ``home``: cloud 1 (the market's home, the nodes' cloud); ``member``:
    cloud 2, where the renter's organization lives. The renter never has an
    identity of cloud 1 but the one cloud 1's provider hands it for the
    contract, through the market. Returns what happened, for tests (no
    secrets in it).
    """
    from keystoneauth1 import exceptions as ks_exc

    from flocx_provider import ironic as provider_ironic

    market, auction, provider = (urls['marketplace'], urls['auction'],
                                 urls['provider'])
    cloud_2 = {federation.CLOUD_HEADER: federation.MEMBER}
    owner = home.connect('flocx-org-a-member')
    renter = member.connect(f'flocx-{federation.MEMBER_RENTER}-member')
    admin = home.connect('flocx-admin')

    say('Demo (two clouds): cloud-1\'s org-a enrolls 2 fake-hardware nodes '
        'in cloud-1\'s Ironic')
    # A trait of this run's nodes alone, which the bid asks for: a market
    # database an earlier ``up`` left in the run directory may still have
    # offers of nodes this cloud no longer has.
    run = f'{int(time.time())}'
    trait = f'CUSTOM_FLOCX_DEMO_{run}'
    node_ids = home.enroll_nodes('org-a', 2, name_prefix=f'demo2-{run}',
                                 traits=[trait])
    say(f'Demo: cloud-1\'s org-a offers node {node_ids[0]} through cloud-1\'s '
        'provider at 1.00 per node-hour')
    offer = _call(owner.session, 'POST', f'{provider}/v1/offers', json={
        'node': node_ids[0], 'start_time': _iso(), 'end_time': _iso(4 * 3600),
        'price': 1.0})

    member_offer = _offer_in_cloud_2(member, urls, market, cloud_2, say)

    say(f'Demo: cloud-2\'s org-e bids with its cloud-2 token '
        f'({federation.CLOUD_HEADER}: {federation.MEMBER}) for 1 node for '
        f'{lease_seconds} s with trait {trait} at up to 3.00 per node-hour')
    bid = _call(renter.session, 'POST', f'{market}/v1/bids', headers=cloud_2,
                json={'quantity': 1, 'resource_class': 'baremetal',
                      'constraints': [{'property': 'traits', 'op': 'has',
                                       'value': trait}],
                      'start_time': _iso(5), 'latest_start_time': _iso(600),
                      'duration': lease_seconds, 'price': 3.0})
    say(f'Demo: the market knows the bidder as {bid["project_id"]}')

    say('Demo: the market\'s admin (cloud-1\'s system admin) clears a round')
    round_ = _call(admin.session, 'POST', f'{auction}/v1/rounds')
    say(f'Demo: round {round_["id"]}: {round_["contracts"]} contract(s)')
    contracts = _call(renter.session, 'GET', f'{market}/v1/contracts',
                      headers=cloud_2,
                      params={'bid_uuid': bid['uuid']})['contracts']
    if not contracts:
        raise DemoError(f'the round made no contract for bid {bid["uuid"]}: '
                        f'{round_}')
    contract = contracts[0]
    node_id = contract['resource_uuids'][0]
    say(f'Demo: contract {contract["uuid"]}: node {node_id} of cloud-1 for '
        f'cloud-2\'s org-e from {contract["start_time"]} to '
        f'{contract["end_time"]}')

    say('Demo: at the start, cloud-2\'s org-e fetches its access to cloud-1 '
        'from the market (openstack market contract access show)')
    access_path = f'{market}/v1/contracts/{contract["uuid"]}/access'

    def access_now():
        resp = renter.session.get(access_path, headers=cloud_2,
                                  raise_exc=False)
        return resp.json()['access'] if resp.status_code == 200 else None

    access = _poll('the renter\'s access', access_now, timeout)
    say(f'Demo: handed application credential '
        f'{access["application_credential_id"]} of cloud-1\'s Keystone '
        f'{access["auth_url"]} (project {access["project_id"]}, expires '
        f'{access["expires_at"]})')

    handed = _renter_connection(access)
    seen = sorted(node.id for node in handed.baremetal.nodes())
    say(f'Demo: with it, cloud-1\'s Ironic shows the renter {len(seen)} '
        f'node(s): {", ".join(seen)}')
    if seen != [node_id]:
        raise DemoError(f'the renter sees {seen}, not just {node_id}')
    hidden = [n for n in home.connect('flocx-admin').baremetal.nodes()
              if n.id != node_id]
    for other in hidden:
        try:
            handed.baremetal.get_node(other.id)
            raise DemoError(f'the renter can read node {other.id}')
        except sdk_exc.NotFoundException:
            pass
    say(f'Demo: the {len(hidden)} other node(s) of cloud-1 are 404 to it')

    say(f'Demo: the renter deploys node {node_id} (provision state active, '
        'fake driver)')
    handed.baremetal.set_node_provision_state(node_id, 'active')
    provider_ironic.wait_for_provision_state(handed, [node_id], 'active',
                                             timeout=timeout)
    deployed = handed.baremetal.get_node(node_id)
    say(f'Demo: node {node_id} is {deployed.provision_state} '
        'with the handed identity')
    token = handed.session.get_token()

    contract_path = f'{market}/v1/contracts/{contract["uuid"]}'
    say(f'Demo: waiting for the contract\'s end at {contract["end_time"]}')

    def ended():
        now = _call(renter.session, 'GET', contract_path, headers=cloud_2)
        return now if now['status'] in ('completed', 'failed') else None

    final = _poll('the contract to end', ended, lease_seconds + timeout)
    say(f'Demo: contract {contract["uuid"]} is {final["status"]}')
    try:
        _renter_connection(access).session.get_token()
        raise DemoError('the handed credential still works after the end')
    except (ks_exc.NotFound, ks_exc.Unauthorized) as e:
        refused = f'{type(e).__name__} ({e.http_status})'
    say(f'Demo: the handed credential no longer works: Keystone answers '
        f'{refused}')
    resp = handed.session.get(f'{home.ironic_url}/v1/nodes/{node_id}',
                              authenticated=False, raise_exc=False,
                              headers={'X-Auth-Token': token})
    say(f'Demo: a token made from it before the end: Ironic answers '
        f'{resp.status_code}')
    if resp.status_code != 401:
        raise DemoError(f'Ironic answered {resp.status_code} to a token of '
                        'the ended contract')
    after = renter.session.get(access_path, headers=cloud_2, raise_exc=False)
    say(f'Demo: the market shows no access any more ({after.status_code})')
    say('Demo done: a renter of cloud-2 used a node of cloud-1 with the '
        'identity cloud-1 handed it, for its contract only.')
    return {'contract': final, 'bid': bid, 'offer': offer, 'node': node_id,
            'node_ids': node_ids, 'renter_saw': seen,
            'hidden_nodes': [n.id for n in hidden],
            'deployed_state': deployed.provision_state,
            'credential_id': access['application_credential_id'],
            'renter_project_id': access['project_id'],
            'credential_after_end': refused,
            'old_token_ironic_status': resp.status_code,
            'access_after_end_status': after.status_code,
            'member_offer': member_offer}


def _offer_in_cloud_2(member, urls, market, cloud_2, say):
    """Cloud 2's own provider offers a node of cloud 2: it reaches the
    market over the REST API as cloud 2's service user, and the market
    places the offer in cloud 2."""
    owner = member.connect(f'flocx-{federation.MEMBER_OWNER}-member')
    say(f'Demo: cloud-2\'s {federation.MEMBER_OWNER} enrolls a node in '
        'cloud-2\'s Ironic and offers it through cloud-2\'s provider (REST '
        'channel to the market)')
    node_id = member.enroll_nodes(
        federation.MEMBER_OWNER, 1,
        name_prefix=f'demo2-cloud-2-{int(time.time())}')[0]
    offer = _call(owner.session, 'POST', f'{urls["member_provider"]}/v1/offers',
                  json={'node': node_id, 'start_time': _iso(),
                        'end_time': _iso(4 * 3600), 'price': 2.0})
    placed = _call(owner.session, 'GET',
                   f'{market}/v1/offers/{offer["market_offer_uuid"]}',
                   headers=cloud_2)
    cloud = (placed.get('properties') or {}).get('cloud')
    say(f'Demo: the market lists offer {placed["uuid"]} of node {node_id} '
        f'in {cloud}, for {placed["project_id"]}')
    if cloud != cloud_2['OpenStack-Market-Cloud']:
        raise DemoError(f'the market placed cloud-2\'s offer in {cloud}')
    return {'node': node_id, 'market_offer_uuid': placed['uuid'],
            'cloud': cloud, 'project_id': placed['project_id']}
