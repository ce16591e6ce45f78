"""The money adds up over a long randomized history, on PostgreSQL.

Rounds (contracts written as the engine writes them), lends and reclaims
reported by a provider (sometimes late, sometimes never), early returns
(with the operator's fee), extensions, revocations by owners and the
market's admin, failures, and contracts no provider carried out, on a
simulated clock across four months. Then, for every month and for random
windows: what renters paid equals what owners earned plus the operator's
surplus plus fees, to the cent; each finished contract's charges equal
the money rule computed here independently from the delivery times; and no
node's bookings (cleaning gaps included) overlap.
"""

import datetime
import decimal
import random
import uuid

from oslo_utils import timeutils
import pytest
import sqlalchemy as sa

from flocx_common.api import errors
from flocx_market.db import api as db_api
from flocx_market.db import models
from tests.functional import services

D = decimal.Decimal
MINUTE = datetime.timedelta(minutes=1)
HOUR = datetime.timedelta(hours=1)
OWNERS = ('org-a', 'org-b', 'org-c')
RENTERS = ('org-b', 'org-c', 'org-d', 'org-e')
STEPS = 400


@pytest.fixture
def market_db(postgresql_database):
    services.require('postgresql')
    db = postgresql_database.connect()
    db.default_cleaning_gap = 1800
    db.early_return_fee_percent = 7.5
    yield db
    timeutils.clear_time_override()


class History:
    """A random market on a simulated clock."""

    def __init__(self, db, seed):
        self.db = db
        self.rng = random.Random(seed)
        self.now = datetime.datetime(2026, 9, 1, 8, 0)
        timeutils.set_time_override(self.now)
        self.offers = []
        self.counts = {}

    def tick(self):
        self.now += datetime.timedelta(minutes=self.rng.randint(5, 240))
        timeutils.set_time_override(self.now)

    def count(self, what):
        self.counts[what] = self.counts.get(what, 0) + 1

    def publish(self):
        for i in range(12):
            owner = OWNERS[i % len(OWNERS)]
            start = self.now
            self.offers.append(self.db.create_offer({
                'project_id': owner, 'provider': 'p1',
                'resource_type': 'ironic_node',
                'resource_uuid': str(uuid.uuid4()),
                'resource_class': 'baremetal', 'properties': {},
                'start_time': start, 'end_time': start + 150 * 24 * HOUR,
                'price': D(self.rng.choice(['0.50', '1.00', '1.25', '2.10'])),
                'cleaning_gap': self.rng.choice([None, None, 0, 600])}))

    def contracts(self, *statuses):
        t = models.contracts
        with self.db.reader() as session:
            uuids = session.execute(sa.select(t.c.uuid).where(
                t.c.status.in_(statuses)).order_by(t.c.id)).scalars().all()
        return [self.db.get_contract(u) for u in uuids]

    # The actions

    def round(self):
        for _ in range(self.rng.randint(1, 4)):
            renter = self.rng.choice(RENTERS)
            quantity = self.rng.choice([1, 1, 2])
            mine = [o for o in self.offers if o['project_id'] != renter]
            chosen = self.rng.sample(mine, quantity)
            start = self.now + datetime.timedelta(
                minutes=self.rng.randint(1, 600))
            duration = self.rng.randint(1, 12) * 1800
            ask = max(D(str(o['price'])) for o in chosen)
            price = ask + D(self.rng.choice(['0', '0.33', '1.007']))
            bid = self.db.create_bid({
                'project_id': renter, 'quantity': quantity,
                'resource_class': None, 'constraints': [],
                'start_time': start, 'latest_start_time': start,
                'duration': duration, 'price': price, 'decide_by': None})
            try:
                self.db.commit_award({
                    'uuid': str(uuid.uuid4()), 'bid_uuid': bid['uuid'],
                    'start_time': start,
                    'end_time': start + datetime.timedelta(seconds=duration),
                    'price': price,
                    'nodes': [{'offer_uuid': o['uuid'],
                               'price': D(str(o['price']))}
                              for o in chosen]}, now=self.now)
                self.count('contracts')
            except db_api.Refused:
                self.count('refused')

    def provider(self):
        """Lends what started (mostly), reclaims what ended."""
        for contract in self.contracts('scheduled', 'active'):
            start = parse(contract['start_time'])
            for node in contract['nodes']:
                if node['lent_at'] is None and node['ended_at'] is None and \
                        start <= self.now and self.rng.random() < 0.8:
                    lent = min(self.now, start + datetime.timedelta(
                        seconds=self.rng.randint(0, 300)))
                    self.db.record_delivery(contract['uuid'],
                                            node['resource_uuid'],
                                            lent_at=lent, now=self.now)
            contract = self.db.get_contract(contract['uuid'])
            if contract['status'] == 'scheduled' and all(
                    n['lent_at'] for n in contract['nodes']
                    if n['ended_at'] is None):
                self.db.update_contract_status(contract['uuid'], 'active')
        cn, ct = models.contract_nodes, models.contracts
        with self.db.reader() as session:
            due = session.execute(
                sa.select(ct.c.uuid, cn.c.resource_uuid, cn.c.end_time)
                .join(ct, ct.c.id == cn.c.contract_id)
                .where(cn.c.lent_at.is_not(None),
                       cn.c.reclaimed_at.is_(None),
                       cn.c.end_time <= self.now)
                .order_by(cn.c.id)).all()
        for uuid_, resource_uuid, end in due:
            reclaimed = min(self.now, end + datetime.timedelta(
                seconds=self.rng.randint(0, 900)))
            self.db.record_delivery(uuid_, resource_uuid,
                                    reclaimed_at=reclaimed, now=self.now)
        for contract in self.contracts('active'):
            if all(
                    n['reclaimed_at'] or (n['ended_at'] and not
                                          n['lent_at'])
                    for n in contract['nodes']):
                self.db.update_contract_status(contract['uuid'],
                                               'completed')
                self.count('completed')

    def live(self):
        return self.contracts('scheduled', 'active')

    def give_back(self):
        live = self.live()
        if not live:
            return
        contract = self.rng.choice(live)
        nodes = [n['resource_uuid'] for n in contract['nodes']
                 if n['ended_at'] is None]
        some = self.rng.sample(nodes, self.rng.randint(1, len(nodes)))
        self.db.end_contract_nodes(contract['uuid'], 'returned', 'early',
                                   resource_uuids=some, now=self.now)
        self.count('returns')

    def extend(self):
        live = self.live()
        if not live:
            return
        contract = self.rng.choice(live)
        end = parse(contract['end_time']) + self.rng.randint(1, 6) * 1800 * \
            datetime.timedelta(seconds=1)
        try:
            self.db.extend_contract(contract['uuid'], end, now=self.now)
            self.count('extensions')
        except (errors.Conflict, errors.BadRequest):
            self.count('extensions_refused')

    def revoke(self):
        live = self.live()
        if not live:
            return
        contract = self.rng.choice(live)
        owner = self.rng.choice([None, *contract['owner_project_ids']])
        try:
            self.db.end_contract_nodes(contract['uuid'], 'revoked',
                                       'node broke', owner=owner,
                                       now=self.now)
            self.count('revocations')
        except errors.Conflict:
            pass  # that owner's nodes had all ended

    def fail(self):
        live = self.live()
        if live:
            contract = self.rng.choice(live)
            self.db.update_contract_status(contract['uuid'], 'failed',
                                           'provider gave up')
            self.count('failures')
        self.counts['unattended'] = self.counts.get('unattended', 0) + len(
            self.db.fail_unattended(900, now=self.now))

    def run(self, steps):
        self.publish()
        actions = [(self.round, 30), (self.provider, 30),
                   (self.give_back, 8), (self.extend, 10), (self.revoke, 4),
                   (self.fail, 4)]
        for _ in range(steps):
            self.tick()
            action, = self.rng.choices([a for a, _ in actions],
                                       [w for _, w in actions])
            action()
        # Let everything finish: every node lent is reclaimed.
        for _ in range(40):
            self.now += 6 * HOUR
            timeutils.set_time_override(self.now)
            self.provider()
            self.db.fail_unattended(900, now=self.now)


def parse(text):
    return timeutils.normalize_time(timeutils.parse_isotime(text))


def cents(value):
    return value.quantize(D('0.01'), decimal.ROUND_HALF_UP)


def expected_money(contract):
    """The money rule, from the delivery times alone (a finished
    contract: nothing is held any more)."""
    price = D(str(contract['price']))
    rent = D(0)
    owners = {}
    for node in contract['nodes']:
        if not node['lent_at']:
            continue
        start = max(parse(contract['start_time']), parse(node['lent_at']))
        end = min(parse(node['end_time']), parse(node['reclaimed_at']))
        seconds = max(D(0), D((end - start).total_seconds()))
        hours = seconds / 3600
        rent += hours * price
        owners[node['owner_project_id']] = owners.get(
            node['owner_project_id'], D(0)) + hours * D(str(node['price']))
    return cents(rent), {p: cents(a) for p, a in owners.items()}


def test_money_adds_up_over_a_random_history(market_db):
    history = History(market_db, seed=20261204)
    history.run(STEPS)
    counts = history.counts
    print('history:', sorted(counts.items()))  # shown with pytest -s
    # The history did exercise every transition.
    for what in ('contracts', 'refused', 'completed', 'returns',
                 'extensions', 'extensions_refused', 'revocations',
                 'failures', 'unattended'):
        assert counts.get(what, 0) > 0, (what, counts)

    # Every month, and random windows: renters = owners + surplus + fees.
    months = [datetime.datetime(2026, m, 1) for m in (9, 10, 11, 12)] + \
        [datetime.datetime(2027, 1, 1), datetime.datetime(2027, 2, 1)]
    windows = list(zip(months, months[1:]))
    rng = random.Random(7)
    for _ in range(20):
        a = months[0] + datetime.timedelta(minutes=rng.randint(0, 200000))
        windows.append((a, a + datetime.timedelta(
            minutes=rng.randint(1, 100000))))
    total_paid = D(0)
    for start, end in windows:
        statement = market_db.statement(start, end)
        paid = D(statement['totals']['renters_paid'])
        earned = D(statement['totals']['owners_earned'])
        operator = statement['operator']
        assert paid == earned + D(operator['surplus']) + D(operator['fees']), \
            (start, end, statement['totals'], operator)
        # Each organization's own statement agrees with the whole.
        per_org = sum((D(o['paid']) - D(o['refunds']) + D(o['fees'])
                       for o in statement['organizations']), D(0))
        assert per_org == paid
        # Day by day too (the statement's days, microversion 1.4): each
        # day balances, and the days add up to the window.
        for day in statement['days']:
            assert D(day['paid']) - D(day['refunds']) + D(day['fees']) == \
                D(day['earned']) + D(day['surplus']) + \
                D(day['operator_fees']), day
        assert sum((D(d['paid']) - D(d['refunds']) + D(d['fees'])
                    for d in statement['days']), D(0)) == paid
        assert sum((D(d['surplus']) for d in statement['days']),
                   D(0)) == D(operator['surplus'])
        if (start, end) in windows[:5]:
            total_paid += paid
    assert total_paid > 0

    # Each finished contract was charged by the rule, to the cent.
    finished = history.contracts('completed', 'revoked', 'failed',
                                 'cancelled')
    assert len(finished) == counts['contracts']
    ch = models.charges
    with market_db.reader() as session:
        lines = session.execute(sa.select(
            ch.c.contract_uuid, ch.c.party, ch.c.kind, ch.c.project_id,
            sa.func.sum(ch.c.amount)).group_by(
            ch.c.contract_uuid, ch.c.party, ch.c.kind,
            ch.c.project_id)).all()
    charged = {(u, p, k, pr): D(a) for u, p, k, pr, a in lines}
    fees_seen = D(0)
    for contract in finished:
        rent, owners = expected_money(contract)
        uuid_ = contract['uuid']
        assert charged.get((uuid_, 'renter', 'rent',
                            contract['project_id']), D(0)) == rent, uuid_
        for project, amount in owners.items():
            assert charged.get((uuid_, 'owner', 'earning', project),
                               D(0)) == amount, (uuid_, project)
        fee = charged.get((uuid_, 'renter', 'fee', contract['project_id']),
                          D(0))
        assert fee == cents(D(str(contract['fees'])))
        fees_seen += fee
        assert D(str(contract['cost'])) == rent + fee
    assert fees_seen > 0  # early-return fees were charged

    # No node's bookings overlap, cleaning gaps included (the exclusion
    # constraint and the booking lock).
    cn = models.contract_nodes
    with market_db.reader() as session:
        rows = session.execute(sa.select(
            cn.c.resource_uuid, cn.c.start_time, cn.c.booked_until).where(
            cn.c.released.is_(False)).order_by(
            cn.c.resource_uuid, cn.c.start_time)).all()
    for before, after in zip(rows, rows[1:]):
        if before.resource_uuid == after.resource_uuid:
            assert before.booked_until <= after.start_time
