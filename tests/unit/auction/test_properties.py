"""Property tests of what the mechanisms promise, on random small books."""

import collections
import dataclasses
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from flocx_auction.book import HOUR
from flocx_auction.clearing import clear_round
from flocx_auction.matching import Market, greedy
from flocx_auction.mechanisms import load

from .helpers import BIG, SMALL, bid, h, offer

MECHANISMS = ["welfare", "mcafee", "pay_as_bid", "fcfs"]
# Raising a bid never turns a win into a loss, for all four on these books (which
# the exact tier of the planner solves); the greedy tier is checked on its own below.
MONOTONE = ["welfare", "mcafee", "pay_as_bid", "fcfs"]
HARDWARE = [("bm.small", SMALL), ("bm.big", BIG)]


@st.composite
def books(draw):
    offers = []
    for i in range(draw(st.integers(1, 6))):
        rc, props = draw(st.sampled_from(HARDWARE))
        start = draw(st.integers(0, 12))
        end = start + draw(st.integers(2, 30))
        busy = []
        if draw(st.booleans()):
            b0 = draw(st.integers(start, end - 1))
            busy = [(b0, min(end, b0 + draw(st.integers(1, 6))))]
        offers.append(
            offer(
                f"o{i}", start, end, draw(st.integers(1, 8)) / 2, rc, props, busy, f"owner{i % 2}"
            )
        )
    bids = []
    for i in range(draw(st.integers(1, 7))):
        start = draw(st.integers(0, 20))
        rc = draw(st.sampled_from(["bm.small", "bm.big", None]))
        constraints = (
            []
            if rc
            else [draw(st.sampled_from([("cpus", ">=", 8), ("traits", "has", "CUSTOM_GPU")]))]
        )
        bids.append(
            bid(
                f"b{i}",
                quantity=draw(st.integers(1, 3)),
                start=start,
                latest=start + draw(st.sampled_from([0, 0, 2, 5])),
                duration=draw(st.integers(1, 10)),
                price=draw(st.integers(1, 10)) / 2,
                rc=rc,
                constraints=constraints,
                decide_by=draw(st.sampled_from([None, 0])),
                created=-draw(st.integers(1, 20)),
            )
        )
    return offers, bids


def clear(offers, bids, mechanism):
    return clear_round(offers, bids, h(0), mechanism)


def check_promises(offers, bids, result):
    offer_by, bid_by = {o.uuid: o for o in offers}, {b.uuid: b for b in bids}
    paid = received = 0.0
    sold = collections.defaultdict(list)
    for award in result.awards:
        b = bid_by[award.bid_uuid]
        hours = (award.end - award.start) / HOUR
        assert len(award.nodes) == b.quantity == len({u for u, _ in award.nodes})
        assert b.start <= award.start <= b.latest_start and award.start >= h(0)
        assert award.end - award.start == b.duration
        assert award.price <= b.price + 1e-9  # renter IR
        paid += award.price * hours * b.quantity
        for uuid, receives in award.nodes:
            o = offer_by[uuid]
            assert receives >= o.price - 1e-9  # owner IR
            # Sealed: what an owner receives is its ask, whatever the bid.
            assert receives == o.price
            assert all(c.holds(o.properties) for c in b.constraints)
            assert b.resource_class in (None, o.resource_class)
            assert o.start <= award.start and award.end <= o.end
            received += receives * hours
            sold[uuid].append((award.start, award.end))
    assert paid >= received - 1e-6  # no deficit
    # The published price of a class is the highest ask that traded there:
    # computed from asks only, it reveals no bid.
    traded = collections.defaultdict(list)
    for award in result.awards:
        for uuid, _ in award.nodes:
            traded[offer_by[uuid].resource_class].append(offer_by[uuid].price)
    for cls, price in result.clearing_prices.items():
        assert price == max(traded[cls])
    for uuid, intervals in sold.items():
        intervals = sorted(intervals + list(offer_by[uuid].busy))
        for (_, end), (start, _) in zip(intervals, intervals[1:]):
            assert end <= start  # no node-hour sold twice


@settings(max_examples=60, deadline=None)
@given(books(), st.sampled_from(MECHANISMS))
def test_rules_ir_no_deficit_no_double_selling(book, mechanism):
    offers, bids = book
    check_promises(offers, bids, clear(offers, bids, mechanism))


@settings(max_examples=40, deadline=None)
@given(books(), st.sampled_from(MECHANISMS), st.randoms(use_true_random=False))
def test_same_book_in_any_order_same_result(book, mechanism, rnd):
    offers, bids = book
    first = clear(offers, bids, mechanism)
    rnd.shuffle(offers)
    rnd.shuffle(bids)
    again = clear(offers, bids, mechanism)
    assert sorted(first.awards, key=repr) == sorted(again.awards, key=repr)
    assert first.rejected == again.rejected


@settings(max_examples=300, deadline=None)
@given(books(), st.sampled_from(MONOTONE), st.data())
def test_a_higher_bid_never_turns_a_win_into_a_loss(book, mechanism, data):
    offers, bids = book
    result = clear(offers, bids, mechanism)
    if not result.awards:
        return
    winner = data.draw(st.sampled_from(sorted(a.bid_uuid for a in result.awards)))
    raise_by = data.draw(st.sampled_from([0.5, 1.0, 3.0]))
    raised = [
        dataclasses.replace(b, price=b.price + raise_by) if b.uuid == winner else b for b in bids
    ]
    assert winner in {a.bid_uuid for a in clear(offers, raised, mechanism).awards}


def test_mcafee_sacrifices_the_marginal_trade():
    offers = [offer(f"o{i}", price=1) for i in range(2)]
    bids = [bid("a", start=1, price=3), bid("b", start=1, price=4)]
    result = clear(offers, bids, "mcafee")
    assert [a.bid_uuid for a in result.awards] == ["b"]
    assert result.awards[0].price == 3  # the dropped bid sets the price
    assert len(clear(offers, bids, "welfare").awards) == 2


@settings(max_examples=200, deadline=None)
@given(books(), st.data())
def test_greedy_alone_is_monotone(book, data):
    offers, bids = book
    market = Market(offers, h(0))
    winners = sorted(a.bid.uuid for a in greedy(market, bids))
    if not winners:
        return
    winner = data.draw(st.sampled_from(winners))
    raised = [dataclasses.replace(b, price=b.price + 1) if b.uuid == winner else b for b in bids]
    assert winner in {a.bid.uuid for a in greedy(Market(offers, h(0)), raised)}


def test_mechanisms_declare_monotonicity():
    assert [m for m in MECHANISMS if load(m).monotone] == MONOTONE


def test_random_books_exercise_the_rules():
    """Guard against vacuous properties: books like the strategy's produce trades,
    rejections and holds alike."""
    rnd = random.Random(0)
    outcomes = collections.Counter()
    for seed in range(40):
        rnd.seed(seed)
        n = rnd.randint(1, 5)
        offers = [offer(f"o{i}", 0, rnd.randint(5, 30), rnd.randint(1, 4)) for i in range(n)]
        bids = [
            bid(
                f"b{i}",
                quantity=rnd.randint(1, 2),
                start=rnd.randint(0, 20),
                duration=rnd.randint(1, 6),
                price=rnd.randint(1, 6),
            )
            for i in range(rnd.randint(1, 6))
        ]
        result = clear(offers, bids, "welfare")
        outcomes["award"] += len(result.awards)
        outcomes["reject"] += len(result.rejected)
        outcomes["hold"] += len(bids) - len(result.awards) - len(result.rejected)
    assert min(outcomes.values()) > 5, outcomes
