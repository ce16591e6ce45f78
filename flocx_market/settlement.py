"""The money rule: what a contract costs its renter and earns its owners.

Written down in doc/source/user/contract-lifecycle.rst; in short:

* A node's *billable time* is the part of its contracted interval
  ``[start_time, end_time)`` during which the renter actually had it: from
  the provider's lend (``lent_at``) to its reclaim (``reclaimed_at``).
  ``end_time`` is the planned end as it stands now: an early return or a
  revocation brings it forward, an extension pushes it back. The cleaning
  gap after a rental is never billable.
* Until the provider has reported, the planned time is held: a scheduled
  node that nobody ended yet is charged for its whole planned time, a lent
  node that is not reclaimed yet up to its planned end. The charge is
  corrected (a refund, a reversed earning) as soon as the provider reports.
  A node that was never lent costs nothing once its contract is over
  (failed, cancelled, revoked, returned): a contract costs what was
  delivered.
* The renter pays ``Contract.price`` per billable node-hour; the owner of
  each node earns that node's ``ContractNode.price`` per billable
  node-hour; the operator keeps the difference (its surplus).
* An early return costs the renter an optional fee, ``[market]
  early_return_fee_percent`` of the renter's price of the node-time
  given back; the fee goes to the operator. Revocations and failures
  carry no fee.
* Amounts are exact decimals rounded to the cent (half up), per contract
  and party; the operator's surplus is what is left, so that renters' payments
  always equal owners' earnings plus the operator's surplus plus fees.
"""

import datetime
import decimal

CENT = decimal.Decimal('0.01')
HOUR = decimal.Decimal(3600)
LIVE = ('scheduled', 'active')


def cents(amount):
    return decimal.Decimal(amount).quantize(CENT, decimal.ROUND_HALF_UP)


def billable_seconds(node, contract_status):
    """Seconds of ``node`` (a contract_nodes row) the renter pays for."""
    start, end = node['start_time'], node['end_time']
    if node['lent_at'] is None:
        held = contract_status in LIVE and node['ended_at'] is None
        return _seconds(end - start) if held else decimal.Decimal(0)
    upper = node['reclaimed_at'] or end
    lower = max(start, node['lent_at'])
    return max(decimal.Decimal(0), _seconds(min(end, upper) - lower))


def _seconds(delta):
    return decimal.Decimal(delta // datetime.timedelta(microseconds=1)) / \
        decimal.Decimal(1_000_000)


def target(contract, nodes):
    """What the contract should have charged by now, per party.

    Returns {'renter': {'rent': (amount, hours), 'fee': amount},
    'owners': {project_id: (amount, hours)}, 'operator': {'surplus':
    amount, 'fee': amount}}, every amount in cents.
    """
    price = decimal.Decimal(contract['price'])
    renter_hours = decimal.Decimal(0)
    renter_exact = decimal.Decimal(0)
    owners = {}
    for node in nodes:
        hours = billable_seconds(node, contract['status']) / HOUR
        renter_hours += hours
        renter_exact += hours * price
        amount, owner_hours = owners.get(node['owner_project_id'],
                                         (decimal.Decimal(0),
                                          decimal.Decimal(0)))
        owners[node['owner_project_id']] = (
            amount + hours * decimal.Decimal(node['price']),
            owner_hours + hours)
    rent = cents(renter_exact)
    owners = {p: (cents(a), h) for p, (a, h) in owners.items()}
    fee = cents(contract.get('fees') or 0)
    surplus = rent - sum((a for a, _ in owners.values()), decimal.Decimal(0))
    return {'renter': {'rent': (rent, renter_hours), 'fee': fee},
            'owners': owners,
            'operator': {'surplus': surplus, 'fee': fee}}


def early_return_fee(percent, price, unused_seconds):
    """The operator's fee for giving back ``unused_seconds`` of node-time."""
    if not percent or unused_seconds <= 0:
        return decimal.Decimal(0)
    return cents(decimal.Decimal(str(percent)) / 100 *
                 decimal.Decimal(price) * decimal.Decimal(unused_seconds) /
                 HOUR)
