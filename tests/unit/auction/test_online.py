"""Rounds over time: bids held until due, under every mechanism; the exact planner's
reduced model; the layering of the auction core."""

import ast
import collections
import dataclasses
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from flocx_auction.book import HOUR
from flocx_auction.clearing import clear_round

from .helpers import bid, h, offer
from .test_properties import MECHANISMS, books, check_promises

CORE = Path(__file__).resolve().parents[3] / "flocx_auction"
# Lowest first: a module may import only the ones before it.
LAYERS = ["book", "matching", "optimal", "planner", "mechanisms", "clearing", "engine"]


def test_the_order_books_types_sit_below_the_planners():
    for layer, name in enumerate(LAYERS):
        path = CORE / (name + ".py") if (CORE / (name + ".py")).exists() else CORE / name
        files = [path] if path.is_file() else sorted(path.glob("*.py"))
        for file in files:
            for node in ast.walk(ast.parse(file.read_text())):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                    "flocx_auction"
                ):
                    parts = (node.module + "." + ".".join(a.name for a in node.names)).split(".")
                    used = next((p for p in parts[1:] if p in LAYERS), None)
                    assert used is None or LAYERS.index(used) <= layer, (
                        f"{file.name} imports {node.module} (above it)"
                    )
    assert "clear_round" not in (CORE / "book.py").read_text()


def replay(offers, bids, mechanism, answer_before_start=4 * HOUR, hours=40):
    """Hourly rounds from h(0); each bid enters at its creation; the market's busy
    time follows the contracts. Returns (awards, hour answered per bid)."""
    busy = collections.defaultdict(list)
    awards, answered = [], {}
    for now in range(-20, hours):
        book = [b for b in bids if b.created_at <= h(now) and b.uuid not in answered]
        current = [dataclasses.replace(o, busy=tuple(sorted(o.busy + tuple(busy[o.uuid]))))
                   for o in offers]
        result = clear_round(current, book, h(now), mechanism, answer_before_start,
                             next_round=h(now + 1))
        for award in result.awards:
            awards.append(award)
            answered[award.bid_uuid] = now
            for uuid, _ in award.nodes:
                busy[uuid].append((award.start, award.end))
        for uuid in result.rejected:
            answered[uuid] = now
    return awards, answered


@settings(max_examples=40, deadline=None)
@given(books(), st.sampled_from(MECHANISMS))
def test_rounds_over_time_keep_every_rule(book, mechanism):
    """Feasible, all or nothing, no node-hour sold twice across rounds, every bid
    answered by its due time (or on arrival if later)."""
    offers, bids = book
    bids = [dataclasses.replace(b, decide_by=None) for b in bids]
    awards, answered = replay(offers, bids, mechanism)
    # Prices are a round's own (test_properties checks them per round).
    result = type("Result", (), {"awards": awards, "clearing_prices": {}})
    check_promises(offers, bids, result)
    assert len({a.bid_uuid for a in awards}) == len(awards)
    for b in bids:
        due = max((b.start - 4 * HOUR - h(0)) / HOUR, (b.created_at - h(0)) / HOUR)
        assert b.uuid in answered and answered[b.uuid] <= max(due, -20)


def test_a_round_with_no_due_bid_plans_nothing():
    offers = [offer("o1", 0, 100)]
    later = bid("b1", start=50, duration=2, created=-1)
    result = clear_round(offers, [later], h(0), "welfare", 4 * HOUR, next_round=h(1))
    assert result.awards == [] and result.rejected == []
    assert result.stats["planned_contracts"] == 0


def test_a_due_bid_still_weighed_against_the_open_bids_it_competes_with():
    """b1 is due, b2 not yet but worth more on the same node and hours: b1 loses;
    b3 (another node class, other hours) is planned apart and changes nothing."""
    offers = [offer("o1", 0, 100), offer("o2", 0, 100, rc="bm.big", props={})]
    due = bid("b1", start=5, duration=10, price=2.0)
    better = bid("b2", start=10, duration=10, price=9.0)
    apart = bid("b3", start=60, duration=5, price=3.0, rc="bm.big")
    result = clear_round(offers, [due, better, apart], h(0), "welfare", 5 * HOUR,
                         next_round=h(1))
    assert result.awards == [] and result.rejected == ["b1"]


def test_a_bid_that_cannot_be_served_alone_links_no_bids():
    """b2 (not due) wants 3 nodes where 2 exist: it is in no plan, so it no
    longer ties the due b1 to b3 (planned apart, greedily); b4, due, cannot be
    served alone either and is rejected."""
    offers = [offer("o1", 0, 100), offer("o2", 0, 100)]
    due = bid("b1", start=5, duration=10, price=2.0)
    too_big = bid("b2", quantity=3, start=12, duration=40, price=9.0)
    later = bid("b3", start=45, duration=5, price=3.0)
    hopeless = bid("b4", quantity=3, start=5, duration=1, price=9.0)
    result = clear_round(offers, [due, too_big, later, hopeless], h(0), "welfare", 5 * HOUR,
                         next_round=h(1))
    assert [a.bid_uuid for a in result.awards] == ["b1"]
    assert result.rejected == ["b4"]
    assert result.stats["planned_contracts"] == 2  # b1, and b3 planned apart


def test_a_contract_across_classes_publishes_each_class_its_own_highest_ask():
    """A bid with constraints only may take nodes of two resource classes: the
    price of each class is the highest ask of that class's nodes that traded."""
    offers = [offer("o1", 0, 10, price=0.5), offer("o2", 0, 10, price=1.0, rc="bm.big")]
    either = bid("b1", quantity=2, start=1, duration=2, price=3.0, rc=None,
                 constraints=[("cpus", ">=", 1)])
    for mechanism in MECHANISMS:
        result = clear_round(offers, [either], h(0), mechanism)
        if result.awards:
            assert result.clearing_prices == {"bm.small": 0.5, "bm.big": 1.0}, mechanism


def test_the_published_price_is_of_what_the_round_commits():
    """b1 is due and takes the cheaper node; b2, not yet due, is planned on the
    dearer one. Only b1's contract is made: the class's price is its ask, 0.5,
    not the 1.0 of a node nobody has bought (the whole plan's price)."""
    offers = [offer("o1", 0, 100, price=0.5), offer("o2", 0, 100, price=1.0)]
    due = bid("b1", start=2, duration=40, price=3.0)
    later = bid("b2", start=30, duration=10, price=3.0)
    # (fcfs answers b2 on arrival too; mcafee sacrifices the one trade.)
    for mechanism in ("welfare", "pay_as_bid"):
        result = clear_round(offers, [due, later], h(0), mechanism, 12 * HOUR,
                             next_round=h(1))
        assert [a.bid_uuid for a in result.awards] == ["b1"], mechanism
        assert [uuid for uuid, _ in result.awards[0].nodes] == ["o1"], mechanism
        assert result.clearing_prices == {"bm.small": 0.5}, mechanism
