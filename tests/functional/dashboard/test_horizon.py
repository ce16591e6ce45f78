"""The Marketplace in a real Horizon, in a real headless Chromium: a whole
rental, the owner's side and the renter's.

On a local FLOCX (flocx-local: real Keystone, Ironic, market, auction and
provider), org-a's member finds its Ironic node under Offers, with its
hardware, and offers it through the Offer Node form. org-b's member logs in
to Horizon (through the real Keystone), lands on Marketplace > Market, finds
the offer, bids for it through the Create Bid form (first refused by the
market, the API's reason shown on the form) and cancels a second bid. After
an auction round both see the contract, with detail pages; the renter
extends it; the owner sees the offer booked on its timeline, with Withdraw
and no Cancel, and withdraws what is unsold; the renter returns the node
early; the owner revokes a second rental. Both then read their Statements:
each contract's amounts as GET /v1/statements gives them, the chart, the
CSV download, and a future month refused with the market's reason. Every
page visited is kept as a PNG in test-artifacts/horizon/.
"""
import csv
import datetime
import decimal
import io
import json
import re
import time

# With test_panel_units.py, on one xdist worker (GROUPS in
# tests/functional/conftest.py): both may install Horizon's virtualenv,
# which two workers must not do at once.

MARKET = {'OpenStack-API-Version': 'marketplace 1.1'}
AUCTION = {'OpenStack-API-Version': 'auction 1.0'}
ASK = '1.5'
BID = '3.25'


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(
        microsecond=0, tzinfo=None)


def iso(value):
    return value.strftime('%Y-%m-%dT%H:%M:%SZ')


def call(cloud, user_cloud, method, url, headers=None, json=None,
         params=None):
    conn = cloud.connect(user_cloud)
    resp = conn.session.request(url, method, headers=headers, json=json,
                                params=params, raise_exc=False)
    assert resp.status_code < 300, f'{method} {url}: {resp.text}'
    return resp.json()


def run_round(flocx):
    """An auction round, started by the cloud's admin (POST /v1/rounds)."""
    status = {}
    deadline = time.monotonic() + 60
    while not status.get('leader'):
        # The engine takes its leader lock a moment after it starts.
        assert time.monotonic() < deadline, status
        time.sleep(0.2)
        status = call(flocx.cloud, 'flocx-admin', 'GET',
                      flocx.auction_url + '/v1/status', AUCTION)
    return call(flocx.cloud, 'flocx-admin', 'POST',
                flocx.auction_url + '/v1/rounds', AUCTION)


def login(page, horizon, cloud, user, shots=None):
    page.goto(horizon + '/auth/login/')
    page.fill('#id_username', user)
    page.fill('#id_password', cloud.password(user))
    if shots:
        shots(page, 'login')
    page.click('#loginBtn')
    page.wait_for_load_state('networkidle')


def open_panel(page, name):
    group = page.locator('#sidebar-accordion-project-marketplace')
    # Clicking the header of an expanded group would collapse it.
    if 'in' not in (group.get_attribute('class') or '').split():
        page.click('a[data-target="#sidebar-accordion-project-marketplace"]')
    group.locator('a.openstack-panel', has_text=name).click()
    page.wait_for_load_state('networkidle')

def when(value):
    """A time as the panels' forms take it (UTC)."""
    return value.strftime('%Y-%m-%d %H:%M')


def new_page(browser):
    """A second user's browser window, watched as the page fixture's is."""
    context = browser.new_context(viewport={'width': 1400, 'height': 900})
    page = context.new_page()
    page.set_default_timeout(30000)
    page.problems = []
    page.on('pageerror', lambda e: page.problems.append(f'JS error: {e}'))
    page.on('response', lambda r: page.problems.append(f'{r.status} {r.url}')
            if r.status >= 500 else None)
    return page


def click_action(page, scope, action_id):
    """Click a row (or detail page) action, opening the actions menu first
    when Horizon tucked it in there."""
    action = page.locator(f'#{action_id}')
    if not action.is_visible():
        scope.locator('.dropdown-toggle').first.click()
    action.click()


def confirm(page):
    page.locator('.modal-footer .btn-danger, .modal-footer .btn-primary') \
        .first.click()


def offer_through_provider(flocx, node_id):
    """org-a offers a node through its provider's API, as the CLI would."""
    now = utcnow()
    call(flocx.cloud, 'flocx-org-a-member', 'POST',
         flocx.provider_url + '/v1/offers', json={
             'node': node_id, 'start_time': iso(now),
             'end_time': iso(now + datetime.timedelta(days=1)),
             'price': float(ASK)})
    offer, = market_get(flocx, 'flocx-org-a-member', '/v1/offers',
                        resource_uuid=node_id)['offers']
    return offer


def market_get(flocx, user, path, **params):
    return call(flocx.cloud, user, 'GET', flocx.market_url + path, MARKET,
                params=params or None)


def test_whole_rental_in_horizon(horizon_install, flocx_local, horizon,
                                 browser, page, shots):
    from playwright.sync_api import expect
    expect.set_options(timeout=30000)

    flocx, cloud = flocx_local, flocx_local.cloud
    node_id, spare_node = cloud.enroll_nodes('org-a', 2,
                                             name_prefix='horizon-test')
    owner = new_page(browser)
    try:
        offer = owner_offers_node(owner, horizon, flocx, node_id, shots)
        contract, bid = renter_bids_and_wins(page, horizon, flocx, node_id,
                                             offer, shots)
        renter_sees_contract(page, flocx, contract, bid, shots)
        owner_sees_booking(owner, flocx, contract, offer, shots)
        renter_returns_early(page, flocx, contract, shots)
        revoked = owner_revokes(owner, page, flocx, spare_node, shots)
        both_read_statements(page, owner, flocx, (contract['uuid'], revoked),
                             shots)
        assert page.problems == []
        assert owner.problems == []
    finally:
        owner.context.close()


def owner_offers_node(owner, horizon, flocx, node_id, shots):
    """org-a's member offers its Ironic node through the Offer Node form."""
    from playwright.sync_api import expect
    cloud = flocx.cloud
    login(owner, horizon, cloud, 'org-a-member')
    open_panel(owner, 'Offers')
    node_row = owner.locator(f'tr#nodes__row__{node_id}')
    expect(node_row).to_contain_text('horizon-test')
    expect(node_row).to_contain_text('8 CPUs')
    expect(node_row).to_contain_text('offerable')
    shots(owner, 'owner-nodes')
    click_action(owner, node_row, f'nodes__row_{node_id}__action_offer')
    form = owner.locator('form#create_offer_form')
    expect(form).to_be_visible()
    # The node's hardware, from Ironic through the provider.
    hardware = owner.locator('#flocx-offer-node')
    expect(hardware).to_contain_text(node_id)
    expect(hardware).to_contain_text('baremetal')
    expect(hardware).to_contain_text('x86_64')
    now = utcnow()
    form.locator('#id_start').fill(when(now - datetime.timedelta(days=1)))
    form.locator('#id_end').fill(when(now + datetime.timedelta(days=1)))
    form.locator('#id_price').fill(ASK)
    form.locator('input[type=submit]').click()
    # The form's own validation first.
    form = owner.locator('form#create_offer_form')
    expect(form).to_contain_text('The start is in the past')
    form.locator('#id_start').fill('')
    shots(owner, 'owner-offer-form')
    form.locator('input[type=submit]').click()
    owner.wait_for_url('**/project/offers/')
    expect(owner.locator('.alert-success')).to_contain_text('1.50')
    offers = market_get(flocx, 'flocx-org-a-member', '/v1/offers',
                        resource_uuid=node_id)['offers']
    assert len(offers) == 1, offers
    offer = offers[0]
    assert offer['price'] == float(ASK) and offer['status'] == 'open'
    row = owner.locator(f'tr#offers__row__{offer["uuid"]}')
    expect(row).to_contain_text('this project')
    expect(row).to_contain_text('1.50')
    # Nothing booked: Cancel, not Withdraw.
    expect(row.locator('[id$="__action_cancel"]')).to_have_count(1)
    expect(row.locator('[id$="__action_withdraw"]')).to_have_count(0)
    shots(owner, 'owner-offered')
    return offer


def renter_bids_and_wins(page, horizon, flocx, node_id, offer, shots):
    """org-b's member bids through the form; a round gives it the node."""
    from playwright.sync_api import expect
    cloud = flocx.cloud
    login(page, horizon, cloud, 'org-b-member', shots)
    assert page.url.rstrip('/').endswith('/project'), page.url
    expect(page.locator('#sidebar-accordion')).to_contain_text('Marketplace')
    expect(page.locator('.page-header')).to_contain_text('Market')
    expect(page.locator('#flocx-open-offers')).to_have_text('1')
    expect(page.locator('#flocx-depth')).to_contain_text('baremetal')
    expect(page.locator('#flocx-depth')).to_contain_text('1.50')
    expect(page.locator('#flocx-depth-chart')).to_be_visible()
    # Supply is the node-time still free (the offer is unbooked yet).
    expect(page.locator('#flocx-depth-baremetal .flocx-free-node-hours')
           ).not_to_have_text('-')
    shots(page, 'landing-market')

    # Offers: org-a's node, on the market; its detail page.
    open_panel(page, 'Offers')
    row = page.locator(f'tr#offers__row__{offer["uuid"]}')
    expect(row).to_contain_text('baremetal')
    expect(row).to_contain_text('8 CPUs')
    expect(row).to_contain_text('another project')
    expect(row).to_contain_text('open')
    # Not ours: no Cancel Offer for it, and no nodes of ours to offer.
    expect(row.locator('[id$="__action_cancel"]')).to_have_count(0)
    expect(page.locator('table#nodes')).to_contain_text('No items to display')
    shots(page, 'offers')
    row.locator(f'a[href$="/offers/{offer["uuid"]}/"]').click()
    expect(page.locator('#flocx-offer-detail')).to_contain_text(
        'another project')
    expect(page.locator('#flocx-offer-price')).to_have_text('1.50')
    # The bookings are the owner's to see.
    expect(page.locator('#flocx-availability-chart')).to_have_count(0)
    shots(page, 'offer-detail-renter')

    # Bids: create one through the form.
    open_panel(page, 'Bids')
    expect(page.locator('table#bids')).to_contain_text('No items to display')
    page.click('#bids__action_create')
    form = page.locator('form#create_bid_form')
    expect(form).to_be_visible()
    form.locator('#id_quantity').fill('5000')
    form.locator('#id_resource_class').fill('baremetal')
    form.locator('#id_constraints').fill('cpus >= 8\ncpu_arch is x86_64')
    form.locator('#id_duration').fill('2')
    form.locator('#id_duration_unit').select_option('3600')
    form.locator('#id_price').fill(BID)
    shots(page, 'create-bid-form')
    form.locator('input[type=submit]').click()
    # The form's own validation first.
    form = page.locator('form#create_bid_form')
    expect(form).to_contain_text('Line 2, "cpu_arch is x86_64"')
    form.locator('#id_constraints').fill('cpus >= 8\ncpu_arch == x86_64')
    form.locator('input[type=submit]').click()
    # The market refuses it (max_quantity); its reason shows on the form.
    form = page.locator('form#create_bid_form')
    expect(form).to_contain_text('quantity must be at most 1000')
    shots(page, 'create-bid-refused')
    form.locator('#id_quantity').fill('1')
    form.locator('input[type=submit]').click()
    page.wait_for_url('**/project/bids/')
    page.wait_for_load_state('networkidle')
    bids = market_get(flocx, 'flocx-org-b-member', '/v1/bids')['bids']
    assert len(bids) == 1, bids
    bid = bids[0]
    assert bid['quantity'] == 1 and bid['resource_class'] == 'baremetal'
    # The price went as the decimal typed (the form never makes a float).
    assert bid['duration'] == 7200 and bid['price'] == float(BID)
    assert bid['constraints'] == [
        {'property': 'cpus', 'op': '>=', 'value': 8},
        {'property': 'cpu_arch', 'op': '==', 'value': 'x86_64'}]
    row = page.locator(f'tr#bids__row__{bid["uuid"]}')
    expect(row).to_contain_text('open')
    expect(row).to_contain_text('3.25')
    expect(row).to_contain_text('cpus >= 8; cpu_arch == x86_64')
    expect(page.locator('.messages, .alert-success').first).to_contain_text(
        'created')
    shots(page, 'bids')

    # A second bid, made through the API, cancelled from the table.
    now = utcnow()
    spare = call(cloud, 'flocx-org-b-member', 'POST',
                 flocx.market_url + '/v1/bids', MARKET, {
                     'quantity': 2, 'start_time': iso(now),
                     'latest_start_time': iso(now + datetime.timedelta(
                         hours=1)),
                     'duration': 3600, 'price': 0.5})
    page.reload()
    spare_row = page.locator(f'tr#bids__row__{spare["uuid"]}')
    spare_row.locator(f'#bids__row_{spare["uuid"]}__action_cancel').click()
    confirm(page)
    expect(page.locator('.alert-success')).to_contain_text('Cancelled Bid')
    expect(page.locator(f'tr#bids__row__{spare["uuid"]}')).to_contain_text(
        'cancelled')
    expect(page.locator(f'tr#bids__row__{bid["uuid"]}')).to_contain_text(
        'open')
    shots(page, 'bids-one-cancelled')

    # An auction round: the bid gets org-a's node.
    auction_round = run_round(flocx)
    assert auction_round['contracts'] == 1, json.dumps(auction_round)
    contract, = market_get(flocx, 'flocx-org-b-member',
                           '/v1/contracts')['contracts']
    assert contract['bid_uuid'] == bid['uuid']
    assert contract['resource_uuids'] == [node_id]
    assert contract['offer_uuids'] == [offer['uuid']]
    # The provider starts it (org-b becomes the node's lessee) at once.
    assert contract['status'] in ('scheduled', 'active')
    assert float(ASK) <= contract['price'] <= float(BID)
    return contract, bid


def renter_sees_contract(page, flocx, contract, bid, shots):
    """The renter's contract, its detail page, and an extension."""
    from playwright.sync_api import expect
    uuid = contract['uuid']
    open_panel(page, 'Contracts')
    row = page.locator(f'tr#contracts__row__{uuid}')
    expect(row).to_contain_text('renter')
    expect(row).to_contain_text(re.compile('scheduled|active'))
    expect(row).to_contain_text(contract['resource_uuids'][0][:8])
    expect(row).to_contain_text(bid['uuid'][:8])
    # Renter's actions; revoking is the owner's.
    for action in ('access', 'extend', 'return'):
        expect(row.locator(f'[id$="__action_{action}"]')).to_have_count(1)
    expect(row.locator('[id$="__action_revoke"]')).to_have_count(0)
    shots(page, 'contracts-renter')

    row.locator(f'a[href$="/contracts/{uuid}/"]').click()
    detail = page.locator('#flocx-contract-detail')
    expect(detail).to_contain_text(contract['resource_uuids'][0])
    expect(page.locator('#flocx-contract-role')).to_have_text('renter')
    expect(page.locator('#flocx-contract-price')).to_have_text(
        re.compile(r'^\d+\.\d\d\d*$'))
    shots(page, 'contract-detail-renter')

    # The renter of the nodes' own cloud has no credential to show.
    click_action(page, page.locator('.detail-actions'),
                 f'contracts__row_{uuid}__action_access')
    expect(page.locator('#flocx-no-access')).to_contain_text(
        'no access to show')
    shots(page, 'contract-access')
    page.go_back()

    # Extend it by an hour, through the form.
    end = datetime.datetime.strptime(contract['end_time'][:19],
                                     '%Y-%m-%dT%H:%M:%S')
    new_end = (end + datetime.timedelta(hours=1)).replace(second=0)
    click_action(page, page.locator('.detail-actions'),
                 f'contracts__row_{uuid}__action_extend')
    form = page.locator('form#extend_contract_form')
    expect(form).to_be_visible()
    form.locator('#id_end').fill(when(new_end))
    shots(page, 'contract-extend-form')
    form.locator('input[type=submit]').click()
    page.wait_for_url(f'**/project/contracts/{uuid}/')
    expect(page.locator('.alert-success')).to_contain_text('now ends')
    extended = market_get(flocx, 'flocx-org-b-member',
                          f'/v1/contracts/{uuid}')
    assert extended['end_time'].startswith(iso(new_end)[:16]), extended
    expect(page.locator('#flocx-contract-end')).to_have_text(when(new_end))

    # The bid's detail page names its contract.
    open_panel(page, 'Bids')
    row = page.locator(f'tr#bids__row__{bid["uuid"]}')
    expect(row).to_contain_text('contracted')
    row.locator(f'a[href$="/bids/{bid["uuid"]}/"]').click()
    expect(page.locator('#flocx-bid-status')).to_have_text('contracted')
    expect(page.locator('#flocx-bid-price')).to_have_text('3.25')
    expect(page.locator('#flocx-bid-contract')).to_contain_text(uuid)
    shots(page, 'bid-detail')

    open_panel(page, 'Market')
    expect(page.locator('#flocx-renting')).to_have_text('1')
    expect(page.locator('#flocx-open-bids')).to_have_text('0')
    # The round's clearing price, from the auction's GET /v1/prices.
    expect(page.locator('#flocx-price-chart .flocx-price-point')) \
        .to_have_count(1)
    shots(page, 'market-after-round')


def owner_sees_booking(owner, flocx, contract, offer, shots):
    """The owner: the contract from its side, the offer booked on its
    timeline, and the unsold rest withdrawn."""
    from playwright.sync_api import expect
    uuid = contract['uuid']
    open_panel(owner, 'Market')
    expect(owner.locator('#flocx-lending')).to_have_text('1')
    open_panel(owner, 'Contracts')
    row = owner.locator(f'tr#contracts__row__{uuid}')
    expect(row).to_contain_text('owner')
    expect(row.locator('[id$="__action_revoke"]')).to_have_count(1)
    for action in ('access', 'extend', 'return'):
        expect(row.locator(f'[id$="__action_{action}"]')).to_have_count(0)
    shots(owner, 'contracts-owner')
    row.locator(f'a[href$="/contracts/{uuid}/"]').click()
    expect(owner.locator('#flocx-contract-role')).to_have_text('owner')
    shots(owner, 'contract-detail-owner')

    # Booked: the market would refuse a Cancel (409); Withdraw instead.
    open_panel(owner, 'Offers')
    row = owner.locator(f'tr#offers__row__{offer["uuid"]}')
    expect(row).to_contain_text('open, booked')
    expect(row.locator('[id$="__action_cancel"]')).to_have_count(0)
    expect(row.locator('[id$="__action_withdraw"]')).to_have_count(1)
    shots(owner, 'offers-owner-booked')
    # The table filter works on the rows in the browser.
    search = owner.locator('input[name="offers__filter__q"]')
    search.press_sequentially('no-such-class')  # keyup events
    expect(row).to_be_hidden()
    search.fill('')
    search.press_sequentially('baremetal')
    expect(row).to_be_visible()

    # Its detail page: the booking on the timeline, and in the table.
    row.locator(f'a[href$="/offers/{offer["uuid"]}/"]').click()
    expect(owner.locator('#flocx-offer-status')).to_contain_text('booked')
    chart = owner.locator('#flocx-availability-chart')
    expect(chart).to_be_visible()
    expect(chart.locator('.flocx-booked')).to_have_count(1)
    expect(chart.locator('.flocx-free')).not_to_have_count(0)
    expect(owner.locator('#flocx-offer-bookings')).to_contain_text(uuid[:8])
    shots(owner, 'offer-detail-owner-timeline')

    click_action(owner, owner.locator('.detail-actions'),
                 f'offers__row_{offer["uuid"]}__action_withdraw')
    confirm(owner)
    expect(owner.locator('.alert-success')).to_contain_text('Withdrew Offer')
    row = owner.locator(f'tr#offers__row__{offer["uuid"]}')
    expect(row).to_contain_text('withdrawn')
    expect(row.locator('[id$="__action_withdraw"]')).to_have_count(0)
    shots(owner, 'offers-owner-withdrawn')
    withdrawn = market_get(flocx, 'flocx-org-a-member',
                           f'/v1/offers/{offer["uuid"]}')
    assert withdrawn['status'] == 'withdrawn', withdrawn
    # The contract stands.
    assert market_get(flocx, 'flocx-org-a-member',
                      f'/v1/contracts/{uuid}')['status'] in (
        'scheduled', 'active')


def renter_returns_early(page, flocx, contract, shots):
    from playwright.sync_api import expect
    uuid = contract['uuid']
    open_panel(page, 'Contracts')
    page.locator(f'tr#contracts__row__{uuid} '
                 f'a[href$="/contracts/{uuid}/"]').click()
    click_action(page, page.locator('.detail-actions'),
                 f'contracts__row_{uuid}__action_return')
    confirm(page)
    expect(page.locator('.alert-success')).to_contain_text(
        'Returned Contract')
    returned = market_get(flocx, 'flocx-org-b-member',
                          f'/v1/contracts/{uuid}')
    assert returned['status'] == 'completed', returned
    assert returned['nodes'][0]['end_kind'] == 'returned', returned
    row = page.locator(f'tr#contracts__row__{uuid}')
    expect(row).to_contain_text('completed')
    for action in ('access', 'extend', 'return'):
        expect(row.locator(f'[id$="__action_{action}"]')).to_have_count(0)
    row.locator(f'a[href$="/contracts/{uuid}/"]').click()
    expect(page.locator('#flocx-contract-nodes')).to_contain_text('returned')
    shots(page, 'contract-returned')


def owner_revokes(owner, renter, flocx, node_id, shots):
    """A second rental, of the spare node: the owner revokes it with a
    reason the renter then reads; the offer, no longer booked, is
    cancelled from its table."""
    from playwright.sync_api import expect
    offer = offer_through_provider(flocx, node_id)
    now = utcnow()
    bid = call(flocx.cloud, 'flocx-org-b-member', 'POST',
               flocx.market_url + '/v1/bids', MARKET, {
                   'quantity': 1, 'start_time': iso(now),
                   'latest_start_time': iso(now + datetime.timedelta(
                       hours=1)),
                   'duration': 3600, 'price': float(BID)})
    assert run_round(flocx)['contracts'] == 1
    contract, = market_get(flocx, 'flocx-org-b-member', '/v1/contracts',
                           bid_uuid=bid['uuid'])['contracts']
    uuid = contract['uuid']

    open_panel(owner, 'Contracts')
    owner.locator(f'tr#contracts__row__{uuid} '
                  f'a[href$="/contracts/{uuid}/"]').click()
    click_action(owner, owner.locator('.detail-actions'),
                 f'contracts__row_{uuid}__action_revoke')
    form = owner.locator('form#revoke_contract_form')
    expect(form).to_be_visible()
    form.locator('#id_reason').fill('disk failing, sorry')
    shots(owner, 'contract-revoke-form')
    form.locator('input[type=submit]').click()
    owner.wait_for_url(f'**/project/contracts/{uuid}/')
    expect(owner.locator('.alert-success')).to_contain_text('revoked')
    expect(owner.locator('#flocx-contract-status')).to_have_text('revoked')
    revoked = market_get(flocx, 'flocx-org-b-member', f'/v1/contracts/{uuid}')
    assert revoked['status'] == 'revoked', revoked
    assert revoked['nodes'][0]['end_reason'] == 'disk failing, sorry'
    shots(owner, 'contract-revoked-owner')

    # The renter reads why.
    open_panel(renter, 'Contracts')
    renter.locator(f'tr#contracts__row__{uuid} '
                   f'a[href$="/contracts/{uuid}/"]').click()
    expect(renter.locator('#flocx-contract-nodes')).to_contain_text(
        'revoked: disk failing, sorry')
    shots(renter, 'contract-revoked-renter')

    # Renters see the revocation in the owner's record, next to its offers.
    owners = market_get(flocx, 'flocx-org-b-member', '/v1/reliability',
                        owner_project_id=offer['project_id'])['owners']
    assert owners == [{'owner_project_id': offer['project_id'],
                       'contracts': 2, 'revocations': 1}], owners
    open_panel(renter, 'Offers')
    expect(renter.locator(f'tr#offers__row__{offer["uuid"]}')) \
        .to_contain_text('1 of 2 contracts')
    shots(renter, 'offers-owner-reliability')

    # Nothing holds the offer now: Cancel again, no Withdraw.
    open_panel(owner, 'Offers')
    row = owner.locator(f'tr#offers__row__{offer["uuid"]}')
    expect(row).to_contain_text('open')
    expect(row).not_to_contain_text('booked')
    expect(row.locator('[id$="__action_withdraw"]')).to_have_count(0)
    click_action(owner, row, f'offers__row_{offer["uuid"]}__action_cancel')
    confirm(owner)
    expect(owner.locator('.alert-success')).to_contain_text(
        'Cancelled Offer')
    expect(owner.locator(f'tr#offers__row__{offer["uuid"]}')) \
        .to_contain_text('cancelled')
    shots(owner, 'offers-owner-cancelled')
    return uuid


def both_read_statements(renter, owner, flocx, contracts, shots):
    """At the end of the rentals, each party's Statements panel shows each
    of its contracts with the amounts of GET /v1/statements, exactly."""
    for page, user, role, name in ((renter, 'org-b-member', 'renter',
                                    'statements-renter'),
                                   (owner, 'org-a-member', 'owner',
                                    'statements-owner')):
        statement_matches_api(page, flocx, user, role, contracts, name,
                              shots)
    future_month_is_refused(renter, shots)


def statement_matches_api(page, flocx, user, role, contracts, name,
                          shots):
    from playwright.sync_api import expect
    D = decimal.Decimal
    open_panel(page, 'Statements')
    expect(page.locator('#flocx-statement-title')).to_contain_text(
        utcnow().strftime('%Y-%m'))
    statement = market_get(flocx, f'flocx-{user}', '/v1/statements')
    mine = {c['contract_uuid']: c for c in statement['contracts']
            if c['role'] == role}
    # This test's two rentals (returned early, revoked).
    assert set(contracts) <= set(mine), (contracts, statement)
    assert 'operator' not in statement
    table = page.locator('#flocx-statement-contracts')
    expect(table.locator('tr.flocx-statement-row')).to_have_count(
        len(statement['contracts']))
    for entry in statement['contracts']:
        row = page.locator(
            f'#flocx-statement-{entry["contract_uuid"]}-{entry["role"]}')
        expect(row.locator('.flocx-role')).to_have_text(entry['role'])
        for key in ('paid', 'refunds', 'fees', 'earned'):
            expect(row.locator(f'.flocx-{key}')).to_have_text(
                f'{D(entry[key]):.2f}')
        net = (D(entry['earned']) - D(entry['paid']) + D(entry['refunds'])
               - D(entry['fees']))
        expect(row.locator('.flocx-net')).to_have_text(f'{net:.2f}')
        hours = row.locator('.flocx-node-hours').inner_text()
        assert D(hours) == D(entry['node_hours']), (hours, entry)
    if role == 'renter':
        # What the renter paid for each, net, is the contract's cost.
        for uuid in contracts:
            cost = market_get(flocx, f'flocx-{user}',
                              f'/v1/contracts/{uuid}')['cost']
            entry = mine[uuid]
            assert (D(entry['paid']) - D(entry['refunds'])
                    + D(entry['fees'])) == D(repr(cost)).quantize(
                        D('0.01')), (entry, cost)
    totals = page.locator('#flocx-statement-totals')
    paid = sum((D(c['paid']) - D(c['refunds']) + D(c['fees'])
                for c in statement['contracts']), D(0))
    assert paid == D(statement['totals']['renters_paid'])
    expect(totals.locator('.flocx-earned')).to_have_text(
        statement['totals']['owners_earned'])
    chart = page.locator('#flocx-statement-chart')
    expect(chart).to_be_visible()
    expect(chart.locator('.flocx-statement-paid')).to_have_count(
        len({c['contract_uuid'] for c in statement['contracts']}))
    # The month day by day (marketplace 1.4): a bar pair per day with
    # charges, each labelled with the API's amount.
    days = call(flocx.cloud, f'flocx-{user}', 'GET',
                flocx.market_url + '/v1/statements',
                {'OpenStack-API-Version': 'marketplace 1.4'})['days']
    assert days, statement
    by_day = page.locator('#flocx-statement-days-chart')
    expect(by_day).to_be_visible()
    expect(by_day.locator('.flocx-statement-day-earned')).to_have_count(
        len(days))
    for day in days:
        paid = D(day['paid']) - D(day['refunds']) + D(day['fees'])
        expect(by_day.locator('title', has_text=f'{day["date"]}: paid '
                              f'{paid:.2f}')).to_have_count(1)
    shots(page, name)

    # The CSV download: the same rows and amounts.
    with page.expect_download() as download:
        page.click('#flocx-statement-csv')
    text = open(download.value.path(), encoding='utf-8').read()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(statement['contracts']), text
    by_key = {(r['contract_uuid'], r['role']): r for r in rows}
    for entry in statement['contracts']:
        line = by_key[entry['contract_uuid'], entry['role']]
        assert line['period'] == statement['period']
        for key in ('paid', 'refunds', 'fees', 'earned'):
            assert D(line[key]) == D(entry[key]), (key, line, entry)
        assert D(line['node_hours']) == D(entry['node_hours'])


def future_month_is_refused(page, shots):
    """A future month: the market's 400 and its reason, on the page."""
    from playwright.sync_api import expect
    now = utcnow()
    future = f'{now.year + 1}-{now.month:02d}'
    page.locator('#flocx-period').fill(future)
    page.click('#flocx-period-show')
    page.wait_for_load_state('networkidle')
    refused = page.locator('#flocx-statement-refused')
    expect(refused).to_contain_text(f'period {future} is in the future')
    expect(refused).to_contain_text('HTTP 400')
    expect(page.locator('#flocx-statement-contracts')).to_have_count(0)
    shots(page, 'statements-future-refused')
