"""One test per market rule, on books small enough to check by hand."""

import pytest

from flocx_auction.book import HOUR, Constraint
from flocx_auction.clearing import clear_round
from flocx_auction.mechanisms import load

from .helpers import BIG, SMALL, bid, h, offer

MECHANISMS = ["welfare", "mcafee", "pay_as_bid", "fcfs"]


def clear(offers, bids, now=0, mechanism="welfare", **kw):
    return clear_round(offers, bids, h(now), mechanism, **kw)


def nodes_of(result, bid_uuid):
    (award,) = [a for a in result.awards if a.bid_uuid == bid_uuid]
    return sorted(uuid for uuid, _ in award.nodes)


def test_all_or_nothing():
    result = clear([offer("o1"), offer("o2")], [bid("b1", quantity=3, start=1)])
    assert result.awards == []
    assert result.rejected == ["b1"]


def test_exact_quantity_on_the_cheapest_nodes():
    offers = [offer(f"o{i}", price=1.0 + i / 10) for i in range(5)]
    result = clear(offers, [bid("b1", quantity=3, start=1)])
    assert nodes_of(result, "b1") == ["o0", "o1", "o2"]


def test_window_bounds_are_inclusive():
    # The offer is [2 h, 12 h]; the contract [2 h, 12 h] uses all of it.
    result = clear([offer(start=2, end=12)], [bid(start=2, duration=10)])
    (award,) = result.awards
    assert (award.start, award.end) == (h(2), h(12))


def test_contract_may_not_leave_the_offer_window():
    one_second = 1 / 3600
    result = clear([offer(start=2, end=12)], [bid(start=2 - one_second, duration=10)])
    assert result.awards == [] and result.rejected == ["b1"]


def test_latest_start_is_inclusive():
    # Only a start at exactly latest_start (5 h) fits the offer's window [5 h, 15 h].
    result = clear([offer(start=5, end=15)], [bid(start=0, latest=5, duration=10)])
    assert result.awards[0].start == h(5)
    result = clear([offer(start=5, end=15)], [bid(start=0, latest=4.99, duration=10)])
    assert result.awards == []


def test_one_window_serves_several_contracts():
    offers = [offer(start=0, end=24)]
    bids = [
        bid("b1", start=2, duration=8),
        bid("b2", start=10, duration=8),
        bid("b3", start=18, duration=6),
    ]
    result = clear(offers, bids, answer_before_start=24 * HOUR)
    assert sorted(a.bid_uuid for a in result.awards) == ["b1", "b2", "b3"]


def test_busy_intervals_are_not_sold_again():
    offers = [offer(start=0, end=24, busy=[(4, 12)])]
    bids = [bid("inside", start=6, duration=2, price=9), bid("after", start=12, duration=12)]
    result = clear(offers, bids)
    assert [a.bid_uuid for a in result.awards] == ["after"]
    assert result.rejected == ["inside"]


def test_no_double_selling_the_higher_value_wins():
    offers = [offer(start=0, end=24, price=1)]
    bids = [bid("low", start=2, duration=6, price=2), bid("high", start=4, duration=6, price=5)]
    result = clear(offers, bids)
    assert [a.bid_uuid for a in result.awards] == ["high"]
    assert result.rejected == ["low"]
    assert result.welfare == pytest.approx((5 - 1) * 6)


@pytest.mark.parametrize("ask,served", [(2.0, True), (2.01, False)])
def test_ask_may_not_exceed_the_bid(ask, served):
    result = clear([offer(price=ask)], [bid(start=1, price=2.0)])
    assert bool(result.awards) is served


@pytest.mark.parametrize(
    "constraint,small,big",
    [
        (("cpus", "==", 8), True, False),
        (("cpu_arch", "!=", "x86_64"), False, True),
        (("cpus", "<", 64), True, False),
        (("cpus", "<=", 64), True, True),
        (("cpus", ">", 8), False, True),
        (("memory_mb", ">=", 32768), True, True),
        (("cpu_arch", "in", ["aarch64", "ppc64le"]), False, True),
        (("traits", "has", "CUSTOM_SSD"), True, False),
        (("local_gb", ">=", 1), False, False),  # a property nobody has never matches
        (("cpus", ">", "lots"), False, False),  # incomparable values do not match
    ],
)
def test_constraint_ops(constraint, small, big):
    assert Constraint(*constraint).holds(SMALL) is small
    assert Constraint(*constraint).holds(BIG) is big
    offers = [
        offer("small", props=SMALL, rc="bm", price=1),
        offer("big", props=BIG, rc="bm", price=1.5),
    ]
    result = clear(offers, [bid(start=1, rc=None, constraints=[constraint])])
    winners = [u for a in result.awards for u, _ in a.nodes]
    assert winners == (["small"] if small else ["big"] if big else [])


def test_resource_class_must_match():
    result = clear([offer(rc="bm.large")], [bid(start=1, rc="bm.small")])
    assert result.awards == []


def test_never_starts_in_the_past():
    # The bid could start from hour 0, but it is hour 3 now.
    result = clear([offer(start=0, end=24)], [bid(start=0, latest=6, duration=2)], now=3)
    assert result.awards[0].start == h(3)


def test_a_bid_that_can_no_longer_start_is_rejected():
    result = clear([offer(start=0, end=24)], [bid(start=0, latest=2, duration=2)], now=3)
    assert result.awards == [] and result.rejected == ["b1"]


def test_held_until_due():
    # Starts in 20 h: with answers due 12 h before start, the engine waits.
    result = clear([offer(end=48)], [bid(start=20)])
    assert result.awards == [] and result.rejected == []
    assert result.stats["due"] == 0
    result = clear([offer(end=48)], [bid(start=20)], now=8)
    assert len(result.awards) == 1


def test_answer_time_is_configurable():
    result = clear([offer(end=48)], [bid(start=20)], answer_before_start=24 * HOUR)
    assert len(result.awards) == 1


def test_decide_by_is_never_missed():
    offers = [offer(end=48)]
    # Due at hour 3 by its own deadline; the next round at hour 4 would be too late.
    b = bid(start=30, decide_by=3)
    assert clear(offers, [b], now=2).awards == []
    assert len(clear(offers, [b], now=2, next_round=h(4)).awards) == 1
    # A round after the deadline can only say no.
    assert clear(offers, [b], now=3.5).rejected == ["b1"]


def test_committing_the_due_part_of_the_plan():
    # "now" is due and worth less than "later", which competes for the same node.
    offers = [offer(end=48, price=1)]
    bids = [
        bid("now", start=10, duration=10, price=2),
        bid("later", start=14, duration=10, price=6),
    ]
    result = clear(offers, bids)
    assert result.awards == [] and result.rejected == ["now"]
    assert result.stats["planned_contracts"] == 1


def test_a_due_bid_does_not_take_the_nodes_a_better_later_bid_needs():
    # Two identical nodes; "now" fits on either, "later" needs both: the due bid is
    # served after the later one, on time that is free.
    offers = [offer("o1", end=48), offer("o2", end=48)]
    bids = [
        bid("now", start=8, latest=20, duration=4),
        bid("later", quantity=2, start=14, duration=4, price=5),
    ]
    result = clear(offers, bids)
    (award,) = result.awards
    assert award.bid_uuid == "now" and (award.end <= h(14) or award.start >= h(18))


def test_expiry():
    offers = [offer("gone", start=0, end=5), offer("live", start=0, end=48)]
    result = clear(offers, [bid(start=12, duration=2)], now=6)
    assert result.expired_offers == ["gone"]
    assert nodes_of(result, "b1") == ["live"]


@pytest.mark.parametrize("mechanism", MECHANISMS)
def test_every_mechanism_loads_and_trades(mechanism):
    m = load(mechanism)
    assert m.name == mechanism and m.__doc__
    offers = [offer(f"o{i}", price=1) for i in range(2)]
    bids = [bid("a", start=1, price=3), bid("b", start=1, price=4)]
    result = clear(offers, bids, mechanism=mechanism)
    assert result.awards  # McAfee drops one of the two trades, the others keep both
    assert len(result.awards) == (1 if mechanism == "mcafee" else 2)


def test_unknown_mechanism():
    with pytest.raises(ValueError):
        load("lottery")


def test_uniform_clearing_price():
    offers = [offer(f"o{i}", price=1 + i) for i in range(3)]  # asks 1, 2, 3
    bids = [bid("a", start=1, price=5), bid("b", start=1, price=4), bid("c", start=1, price=6)]
    result = clear(offers, bids)
    # Highest accepted ask 3: every renter pays 3, whatever the bids; each
    # owner receives its own ask, the spread is the operator's.
    assert result.clearing_prices == {"bm.small": 3}
    assert {a.price for a in result.awards} == {3}
    assert sorted(p for a in result.awards for _, p in a.nodes) == [1, 2, 3]


def test_welfare_price_is_the_same_for_any_winning_bids():
    """The sealed rule: the prices of a round do not move with the bids (as long
    as the same bids win), so no price reveals a bid."""
    offers = [offer(f"o{i}", price=1 + i) for i in range(3)]
    for prices in ((5, 4, 6), (3.25, 9.5, 4.125), (3, 3, 3)):
        bids = [bid(name, start=1, price=p) for name, p in zip("abc", prices)]
        result = clear(offers, bids)
        assert result.clearing_prices == {"bm.small": 3}
        assert {a.price for a in result.awards} == {3}
        assert sorted(p for a in result.awards for _, p in a.nodes) == [1, 2, 3]


def test_mcafee_price_is_set_by_the_dropped_bid():
    offers = [offer(f"o{i}", price=1) for i in range(3)]
    bids = [bid("a", start=1, price=5), bid("b", start=1, price=4), bid("c", start=1, price=6)]
    result = clear(offers, bids, mechanism="mcafee")
    assert sorted(a.bid_uuid for a in result.awards) == ["a", "c"]
    assert {a.price for a in result.awards} == {4}
    # Owners receive their ask; the published price is the highest traded ask,
    # not the dropped bid (which would tell everyone that bid).
    assert {p for a in result.awards for _, p in a.nodes} == {1}
    assert result.clearing_prices == {"bm.small": 1}


def test_fcfs_serves_in_arrival_order_at_once():
    offers = [offer(end=48)]
    bids = [
        bid("first", start=30, duration=4, price=2, created=-5),
        bid("richer", start=30, duration=4, price=9, created=-1),
    ]
    result = clear(offers, bids, mechanism="fcfs")
    assert [a.bid_uuid for a in result.awards] == ["first"] and result.rejected == ["richer"]
