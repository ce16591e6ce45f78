"""The Marketplace in a real Horizon, in a real headless Chromium.

On a local FLOCX (flocx-local: real Keystone, Ironic, market, auction and
provider), org-a offers a node through its provider; org-b's member logs in to Horizon (through the
real Keystone), lands on Marketplace > Market, finds the offer under Offers,
bids for it through the Create Bid form (first refused by the market, the
API's reason shown on the form), cancels a second bid, and after an auction
round finds its contract under Contracts; org-a's member sees the same
contract as its owner. Every page visited is kept as a PNG in
test-artifacts/horizon/.
"""
import datetime
import json
import re
import time

MARKET = {'OpenStack-API-Version': 'marketplace 1.0'}
AUCTION = {'OpenStack-API-Version': 'auction 1.0'}
ASK = 1.5
BID = 3.0


def utcnow():
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0,
                                                       tzinfo=None)


def iso(value):
    return value.strftime('%Y-%m-%dT%H:%M:%SZ')


def call(cloud, user_cloud, method, url, headers=None, json=None,
         params=None):
    conn = cloud.connect(user_cloud)
    resp = conn.session.request(url, method, headers=headers, json=json,
                                params=params, raise_exc=False)
    assert resp.status_code < 300, f'{method} {url}: {resp.text}'
    return resp.json()


def publish_offer(flocx, node_id):
    """org-a offers its node through its provider, as its member would."""
    now = utcnow()
    call(flocx.cloud, 'flocx-org-a-member', 'POST',
         flocx.provider_url + '/v1/offers', json={
             'node': node_id, 'start_time': iso(now),
             'end_time': iso(now + datetime.timedelta(days=1)),
             'price': ASK})
    # The provider publishes it to the market.
    offers = call(flocx.cloud, 'flocx-org-b-member', 'GET',
                  flocx.market_url + '/v1/offers', MARKET,
                  params={'resource_uuid': node_id})['offers']
    assert len(offers) == 1, offers
    return offers[0]


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


def test_bid_to_contract_in_horizon(horizon_install, flocx_local, horizon,
                                    browser, page, shots):
    from playwright.sync_api import expect
    expect.set_options(timeout=30000)

    flocx, cloud = flocx_local, flocx_local.cloud
    node_id, = cloud.enroll_nodes('org-a', 1, name_prefix='horizon-test')
    offer = publish_offer(flocx, node_id)

    # org-b's member logs in and lands on the Marketplace.
    login(page, horizon, cloud, 'org-b-member', shots)
    assert page.url.rstrip('/').endswith('/project'), page.url
    expect(page.locator('#sidebar-accordion')).to_contain_text('Marketplace')
    expect(page.locator('.page-header')).to_contain_text('Market')
    expect(page.locator('#flocx-open-offers')).to_have_text('1')
    expect(page.locator('#flocx-depth')).to_contain_text('baremetal')
    expect(page.locator('#flocx-depth-chart')).to_be_visible()
    shots(page, 'landing-market')

    # Offers: org-a's node, on the market.
    open_panel(page, 'Offers')
    offers = page.locator('table#offers')
    row = offers.locator(f'tr#offers__row__{offer["uuid"]}')
    expect(row).to_contain_text('baremetal')
    expect(row).to_contain_text('8 CPUs')
    expect(row).to_contain_text('another project')
    expect(row).to_contain_text('open')
    # Not ours: no Cancel Offer for it.
    expect(row.locator('[id$="__action_cancel"]')).to_have_count(0)
    shots(page, 'offers')

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
    form.locator('#id_price').fill(str(BID))
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
    bids = call(cloud, 'flocx-org-b-member', 'GET',
                flocx.market_url + '/v1/bids', MARKET)['bids']
    assert len(bids) == 1, bids
    bid = bids[0]
    assert bid['quantity'] == 1 and bid['resource_class'] == 'baremetal'
    assert bid['duration'] == 7200 and float(bid['price']) == BID
    assert bid['constraints'] == [
        {'property': 'cpus', 'op': '>=', 'value': 8},
        {'property': 'cpu_arch', 'op': '==', 'value': 'x86_64'}]
    row = page.locator(f'tr#bids__row__{bid["uuid"]}')
    expect(row).to_contain_text('open')
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
    page.locator('.modal-footer .btn-danger, .modal-footer .btn-primary') \
        .first.click()
    expect(page.locator('.alert-success')).to_contain_text('Cancelled Bid')
    expect(page.locator(f'tr#bids__row__{spare["uuid"]}')).to_contain_text(
        'cancelled')
    expect(page.locator(f'tr#bids__row__{bid["uuid"]}')).to_contain_text(
        'open')
    shots(page, 'bids-one-cancelled')

    # An auction round: the bid gets org-a's node.
    auction_round = run_round(flocx)
    assert auction_round['contracts'] == 1, json.dumps(auction_round)
    contract, = call(cloud, 'flocx-org-b-member', 'GET',
                     flocx.market_url + '/v1/contracts', MARKET)['contracts']
    assert contract['bid_uuid'] == bid['uuid']
    assert contract['resource_uuids'] == [node_id]
    # The provider starts it (org-b becomes the node's lessee) at once.
    assert contract['status'] in ('scheduled', 'active')
    assert ASK <= float(contract['price']) <= BID

    open_panel(page, 'Contracts')
    row = page.locator(f'tr#contracts__row__{contract["uuid"]}')
    expect(row).to_contain_text('renter')
    expect(row).to_contain_text(re.compile('scheduled|active'))
    expect(row).to_contain_text(node_id[:8])
    expect(row).to_contain_text(bid['uuid'][:8])
    shots(page, 'contracts-renter')

    open_panel(page, 'Bids')
    expect(page.locator(f'tr#bids__row__{bid["uuid"]}')).to_contain_text(
        'contracted')

    open_panel(page, 'Market')
    expect(page.locator('#flocx-renting')).to_have_text('1')
    expect(page.locator('#flocx-open-bids')).to_have_text('0')
    # The round's clearing price, from the auction's GET /v1/prices.
    expect(page.locator('#flocx-price-chart .flocx-price-point')).to_have_count(1)
    shots(page, 'market-after-round')
    assert page.problems == []

    # The owner, org-a, sees the same contract from its side.
    owner_context = browser.new_context(viewport={'width': 1400,
                                                  'height': 900})
    try:
        owner = owner_context.new_page()
        login(owner, horizon, cloud, 'org-a-member')
        expect(owner.locator('#flocx-lending')).to_have_text('1')
        open_panel(owner, 'Contracts')
        row = owner.locator(f'tr#contracts__row__{contract["uuid"]}')
        expect(row).to_contain_text('owner')
        shots(owner, 'contracts-owner')
        open_panel(owner, 'Offers')
        row = owner.locator(f'tr#offers__row__{offer["uuid"]}')
        expect(row).to_contain_text('this project')
        expect(row.locator('[id$="__action_cancel"]')).to_have_count(1)
        shots(owner, 'offers-owner')
        # The table filter works on the rows in the browser.
        search = owner.locator('input[name="offers__filter__q"]')
        search.press_sequentially('no-such-class')  # keyup events
        expect(row).to_be_hidden()
        search.fill('')
        search.press_sequentially('baremetal')
        expect(row).to_be_visible()
    finally:
        owner_context.close()
