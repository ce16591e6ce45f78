"""A contract's life after it is written, and the ledger of its money.

Returns, revocations, failures, extensions, delivery reports from the
providers, warnings before the end, withdrawals of offers, availability
calendars and statements. Mixed into ``db.api.Connection``; every change
takes the per-node lock rows (``resources``) in node order first, as
booking does, and settles the contract's money in the same transaction
(``settle``), so the ledger never disagrees with the contracts.
"""

import datetime
import decimal

from oslo_db import exception as db_exc
from oslo_utils import timeutils
import sqlalchemy as sa

from flocx_common.api import errors
from flocx_common import db
from flocx_market.db import models
from flocx_market import settlement

LIVE_CONTRACT = ('scheduled', 'active')
END_KINDS = ('returned', 'revoked', 'failed')
# The contract's status when none of its nodes is left, by how they ended.
ENDED_STATUS = {'returned': 'completed', 'revoked': 'revoked',
                'failed': 'failed'}

cn = models.contract_nodes
ct = models.contracts


class Lifecycle:
    """Queries of a contract's life; see the module's docstring."""

    # Seconds never sold after a rental, unless the offer says otherwise;
    # build_services sets it from [market] cleaning_gap.
    default_cleaning_gap = 0
    early_return_fee_percent = 0

    def cleaning_gap(self, offer):
        gap = offer.get('cleaning_gap')
        return datetime.timedelta(seconds=self.default_cleaning_gap
                                  if gap is None else gap)

    # Early ends: return, revoke, fail

    @db.retry_on_deadlock
    def end_contract_nodes(self, uuid, kind, reason, resource_uuids=None,
                           owner=None, now=None):
        """End some (or all) live nodes of a contract before their end.

        ``kind``: returned (the renter), revoked (an owner, or an admin
        when ``owner`` is None) or failed. ``resource_uuids`` limits which
        nodes; ``owner`` limits to that owner's nodes. Returns the contract
        and what changed, for the caller to tell the parties.
        """
        now = now or timeutils.utcnow()
        with self.writer() as session:
            contract = _contract(session, uuid)
            if contract['status'] not in LIVE_CONTRACT:
                raise errors.Conflict(
                    f'Contract {uuid} is {contract["status"]}: only a '
                    'scheduled or active contract can be ended early.',
                    code='flocx.contract_not_live')
            nodes = _nodes(session, contract['id'])
            live = [n for n in nodes if n['ended_at'] is None]
            chosen = live
            if owner is not None:
                chosen = [n for n in chosen
                          if n['owner_project_id'] == owner]
            if resource_uuids is not None:
                wanted = {u.lower() for u in resource_uuids}
                known = {n['resource_uuid'] for n in nodes
                         if owner is None or n['owner_project_id'] == owner}
                unknown = wanted - known
                if unknown:
                    raise errors.BadRequest(
                        f'Not a node of contract {uuid} that you may end: '
                        f'{", ".join(sorted(unknown))}.', pointer='/nodes',
                        code='flocx.not_contract_node')
                chosen = [n for n in chosen if n['resource_uuid'] in wanted]
            if not chosen:
                raise errors.Conflict(
                    f'Contract {uuid} has no live node of those left to end.',
                    code='flocx.nothing_to_end')
            fees = decimal.Decimal(contract['fees'] or 0)
            for node in sorted(chosen, key=lambda n: n['resource_uuid']):
                _lock(session, node['resource_uuid'])
                end = min(max(now, node['start_time']), node['end_time'])
                values = {'ended_at': now, 'end_kind': kind,
                          'end_reason': (reason or '')[:255] or None,
                          'end_time': end}
                if now <= node['start_time'] and node['lent_at'] is None:
                    # Never started: the whole time goes back on the market.
                    values['released'] = True
                    values['booked_until'] = node['start_time']
                else:
                    offer = _offer_by_id(session, node['offer_id'])
                    values['booked_until'] = end + self.cleaning_gap(offer)
                if kind == 'returned':
                    unused = (node['end_time'] - end).total_seconds()
                    fees += settlement.early_return_fee(
                        self.early_return_fee_percent, contract['price'],
                        unused)
                session.execute(sa.update(cn).where(cn.c.id == node['id'])
                                .values(**values))
            left = len(live) - len(chosen)
            status = contract['status']
            if left == 0:
                if kind == 'returned' and contract['status'] == 'scheduled' \
                        and now < contract['start_time']:
                    status = 'cancelled'
                else:
                    status = ENDED_STATUS[kind]
            session.execute(sa.update(ct).where(ct.c.id == contract['id'])
                            .values(status=status, fees=fees,
                                    status_reason=(reason or '')[:255]
                                    if status != contract['status']
                                    else contract['status_reason'],
                                    updated_at=now))
            if left == 0:
                # Over: the renter's way into another cloud goes with it.
                session.execute(sa.delete(models.contract_access).where(
                    models.contract_access.c.contract_id == contract['id']))
            detail = {'status': status, 'kind': kind, 'reason': reason,
                      'nodes': sorted(n['resource_uuid'] for n in chosen)}
            event = {'returned': 'contract.return',
                     'revoked': 'contract.revoke',
                     'failed': 'contract.fail'}[kind]
            _tell_parties(session, contract, nodes, event, detail, now)
            self.settle(session, contract['id'], now, f'{kind}: {reason}')
        return {'contract': self.get_contract(uuid), 'event': event,
                'detail': detail}

    def fail_unattended(self, timeout, now=None):
        """Fail scheduled contracts that no provider carries out.

        A contract whose offer has no provider fails at its start; one
        whose provider has lent none of its nodes ``timeout`` seconds
        after its start fails too. Returns [(uuid, reason), ...].
        """
        now = now or timeutils.utcnow()
        late = now - datetime.timedelta(seconds=timeout)
        found = []
        with self.reader() as session:
            rows = session.execute(
                sa.select(ct.c.uuid, ct.c.start_time,
                          sa.func.count(models.offers.c.provider),
                          sa.func.count(cn.c.lent_at))
                .join(cn, cn.c.contract_id == ct.c.id)
                .join(models.offers, models.offers.c.id == cn.c.offer_id)
                .where(ct.c.status == 'scheduled', ct.c.start_time <= now)
                .group_by(ct.c.uuid, ct.c.start_time)).all()
        for uuid, start, with_provider, lent in rows:
            if lent:
                continue
            if with_provider == 0:
                found.append((uuid, 'no provider carries out its offers'))
            elif start <= late:
                found.append((uuid, f'no provider acted within {timeout} s '
                                    'of its start'))
        failed = []
        for uuid, reason in found:
            try:
                changed = self.end_contract_nodes(uuid, 'failed', reason,
                                                  now=now)
            except errors.Conflict:
                continue  # changed meanwhile
            failed.append(changed)
        return failed

    def mark_ended(self, session, contract_id, kind, reason, now):
        """A whole contract failed or was cancelled by a status update."""
        for node in _nodes(session, contract_id):
            if node['ended_at'] is not None:
                continue
            end = min(max(now, node['start_time']), node['end_time'])
            gap = datetime.timedelta(0)
            if node['lent_at'] is not None:
                gap = self.cleaning_gap(_offer_by_id(session,
                                                     node['offer_id']))
            values = {'ended_at': now, 'end_kind': kind,
                      'end_reason': (reason or '')[:255] or None,
                      'end_time': end, 'booked_until': end + gap}
            session.execute(sa.update(cn).where(cn.c.id == node['id'])
                            .values(**values))

    # Extend

    @db.retry_on_deadlock
    def extend_contract(self, uuid, new_end, now=None):
        """Push the end of every live node of a contract to ``new_end``.

        All or nothing: each node must be free until ``new_end`` plus its
        cleaning gap, inside its offer's window, or nothing changes and
        the Conflict says which node and why.
        """
        now = now or timeutils.utcnow()
        try:
            with self.writer() as session:
                result = self._extend(session, uuid, new_end, now)
        except db_exc.DBError as e:
            # PostgreSQL's exclusion constraint: another booking won.
            if 'contract_nodes_no_overlap' not in str(e):
                raise
            raise errors.Conflict(
                f'Contract {uuid} cannot be extended: a node was booked for '
                'that time meanwhile.', code='flocx.extension_refused')
        return dict(result, contract=self.get_contract(uuid))

    def _extend(self, session, uuid, new_end, now):
        contract = _contract(session, uuid)
        if contract['status'] not in LIVE_CONTRACT:
            raise errors.Conflict(
                f'Contract {uuid} is {contract["status"]}: only a scheduled '
                'or active contract can be extended.',
                code='flocx.contract_not_live')
        if new_end <= contract['end_time']:
            raise errors.BadRequest(
                f'end_time must be after the contract\'s end '
                f'({db.iso(contract["end_time"])}).', pointer='/end_time',
                code='flocx.extension_not_later')
        if new_end <= now:
            raise errors.BadRequest('end_time is in the past.',
                                    pointer='/end_time')
        live = [n for n in _nodes(session, contract['id'])
                if n['ended_at'] is None]
        if not live:
            raise errors.Conflict(f'Contract {uuid} has no live node.',
                                  code='flocx.contract_not_live')
        for node in sorted(live, key=lambda n: n['resource_uuid']):
            _lock(session, node['resource_uuid'])
            offer = session.execute(
                sa.select(models.offers)
                .where(models.offers.c.id == node['offer_id'])
                .with_for_update()).mappings().first()
            problem = None
            if offer['status'] not in ('open', 'expired'):
                problem = (f'its offer {offer["uuid"]} is '
                           f'{offer["status"]}')
            elif new_end > offer['end_time']:
                problem = (f'its owner offers it only until '
                           f'{db.iso(offer["end_time"])}')
            booked_until = new_end + self.cleaning_gap(offer)
            if problem is None:
                clash = session.execute(
                    sa.select(cn.c.start_time).where(
                        cn.c.resource_uuid == node['resource_uuid'],
                        cn.c.id != node['id'],
                        cn.c.released.is_(False),
                        cn.c.start_time < booked_until,
                        cn.c.booked_until > node['end_time'])
                    .order_by(cn.c.start_time).with_for_update()).first()
                if clash:
                    problem = ('it is booked by another contract from '
                               f'{db.iso(clash.start_time)} (cleaning '
                               'gap included)')
            if problem:
                raise errors.Conflict(
                    f'Contract {uuid} cannot be extended to '
                    f'{db.iso(new_end)}: node {node["resource_uuid"]}: '
                    f'{problem}.', code='flocx.extension_refused')
            session.execute(sa.update(cn).where(cn.c.id == node['id'])
                            .values(end_time=new_end,
                                    booked_until=booked_until))
        previous_end = contract['end_time']
        session.execute(sa.update(ct).where(ct.c.id == contract['id']).values(
            end_time=new_end, warned_at=None, updated_at=now))
        nodes = _nodes(session, contract['id'])
        detail = {'status': contract['status'],
                  'previous_end_time': db.iso(previous_end),
                  'end_time': db.iso(new_end)}
        _tell_parties(session, contract, nodes, 'contract.extend', detail,
                      now)
        self.settle(session, contract['id'], now,
                    f'extended to {db.iso(new_end)}')
        return {'detail': detail}

    # What the providers report

    @db.retry_on_deadlock
    def record_delivery(self, uuid, resource_uuid, lent_at=None,
                        reclaimed_at=None, now=None):
        """The provider lent (lessee set) or reclaimed (unset) a node."""
        now = now or timeutils.utcnow()
        with self.writer() as session:
            contract = _contract(session, uuid)
            node = session.execute(sa.select(cn).where(
                cn.c.contract_id == contract['id'],
                cn.c.resource_uuid == resource_uuid.lower())
            ).mappings().first()
            if node is None:
                raise errors.NotFound(f'Node {resource_uuid} is not in '
                                      f'contract {uuid}.')
            values = {}
            if lent_at is not None and node['lent_at'] is None:
                values['lent_at'] = lent_at
            if reclaimed_at is not None and node['reclaimed_at'] is None:
                values['reclaimed_at'] = reclaimed_at
            if values:
                session.execute(sa.update(cn).where(cn.c.id == node['id'])
                                .values(**values))
                self.settle(session, contract['id'], now, 'delivery report')
        return self.get_contract(uuid)

    # Warnings

    def contracts_ending(self, before_end, now=None):
        """Warn once per contract ``before_end`` s before it ends.

        Returns the contracts just warned (with events written for both
        parties)."""
        now = now or timeutils.utcnow()
        soon = now + datetime.timedelta(seconds=before_end)
        warned = []
        with self.writer() as session:
            rows = session.execute(sa.select(ct).where(
                ct.c.status.in_(LIVE_CONTRACT), ct.c.warned_at.is_(None),
                ct.c.end_time <= soon, ct.c.end_time > now)
            ).mappings().all()
            for contract in rows:
                changed = session.execute(sa.update(ct).where(
                    ct.c.id == contract['id'], ct.c.warned_at.is_(None))
                    .values(warned_at=now))
                if not changed.rowcount:
                    continue
                nodes = _nodes(session, contract['id'])
                _tell_parties(session, contract, nodes, 'contract.before_end',
                              {'status': contract['status'],
                               'end_time': db.iso(contract['end_time'])},
                              now)
                warned.append(contract['uuid'])
        return [self.get_contract(u) for u in warned]

    # Offers: withdraw, availability

    @db.retry_on_deadlock
    def withdraw_offer(self, uuid, reason='withdrawn by its owner'):
        """Take the unsold rest of an offer off the market; its contracts
        stand."""
        now = timeutils.utcnow()
        with self.writer() as session:
            offer = session.execute(sa.select(models.offers).where(
                models.offers.c.uuid == uuid)).mappings().first()
            if offer is None:
                raise errors.NotFound(f'Offer {uuid} not found.')
            _lock(session, offer['resource_uuid'])
            changed = session.execute(sa.update(models.offers).where(
                models.offers.c.id == offer['id'],
                models.offers.c.status == 'open').values(
                status='withdrawn', status_reason=reason, updated_at=now))
            if changed.rowcount != 1:
                raise errors.Conflict(
                    f'Offer {uuid} is {offer["status"]}: only an open offer '
                    'can be withdrawn.', code='flocx.offer_not_open')
            session.execute(sa.insert(models.events), {
                'project_id': offer['project_id'], 'object_type': 'offer',
                'object_uuid': uuid, 'event_type': 'offer.withdraw',
                'detail': {'reason': reason}, 'created_at': now})
        return self.get_offer(uuid)

    def availability(self, uuid, now=None):
        """An offer's node, booked and free, over the offer's window."""
        now = now or timeutils.utcnow()
        with self.reader() as session:
            offer = session.execute(sa.select(models.offers).where(
                models.offers.c.uuid == uuid)).mappings().first()
            if offer is None:
                raise errors.NotFound(f'Offer {uuid} not found.')
            rows = session.execute(
                sa.select(cn.c.start_time, cn.c.end_time, cn.c.booked_until,
                          ct.c.uuid, ct.c.status)
                .join(ct, ct.c.id == cn.c.contract_id)
                .where(cn.c.resource_uuid == offer['resource_uuid'],
                       cn.c.released.is_(False),
                       cn.c.start_time < offer['end_time'],
                       cn.c.booked_until > offer['start_time'])
                .order_by(cn.c.start_time)).all()
        booked = [{'contract_uuid': r.uuid, 'status': r.status,
                   'start_time': db.iso(r.start_time),
                   'end_time': db.iso(r.end_time),
                   'booked_until': db.iso(r.booked_until)} for r in rows]
        sellable = offer['status'] == 'open'
        free = []
        if sellable:
            free = [[db.iso(s), db.iso(e)] for s, e in free_spans(
                offer['start_time'], offer['end_time'],
                [(r.start_time, r.booked_until) for r in rows], now)]
        return {'offer_uuid': uuid, 'resource_uuid': offer['resource_uuid'],
                'status': offer['status'],
                'start_time': db.iso(offer['start_time']),
                'end_time': db.iso(offer['end_time']),
                'cleaning_gap': int(self.cleaning_gap(offer).total_seconds()),
                'booked': booked, 'free': free}

    def free_node_hours(self, now=None):
        """Per resource class: (open offers with free time, free
        node-hours, the lowest ask of those offers) from now on; booked
        time and cleaning gaps excluded."""
        now = now or timeutils.utcnow()
        with self.reader() as session:
            offers = session.execute(
                sa.select(models.offers.c.id, models.offers.c.resource_class,
                          models.offers.c.start_time,
                          models.offers.c.end_time, models.offers.c.price)
                .where(models.offers.c.status == 'open',
                       models.offers.c.end_time > now)).all()
            busy = {}
            for r in session.execute(
                    sa.select(cn.c.offer_id, cn.c.resource_uuid,
                              cn.c.start_time, cn.c.booked_until)
                    .where(cn.c.released.is_(False),
                           cn.c.booked_until > now)):
                busy.setdefault(r.offer_id, []).append(
                    (r.start_time, r.booked_until))
        result = {}
        for offer in offers:
            spans = free_spans(offer.start_time, offer.end_time,
                               busy.get(offer.id, []), now)
            hours = sum((e - s).total_seconds() for s, e in spans) / 3600
            count, total, lowest = result.get(offer.resource_class,
                                              (0, 0.0, None))
            if hours > 0:
                # A fully booked offer is no supply: neither its node nor
                # its ask.
                count += 1
                price = decimal.Decimal(offer.price)
                lowest = price if lowest is None else min(lowest, price)
            result[offer.resource_class] = (count, total + hours, lowest)
        return result

    # Reliability

    def revocations(self, owner_project_id=None):
        """Contracts in which each owner had nodes revoked, and how many
        contracts it had in all."""
        query = sa.select(
            cn.c.owner_project_id,
            sa.func.count(sa.distinct(cn.c.contract_id)),
            sa.func.count(sa.distinct(sa.case(
                (cn.c.end_kind == 'revoked', cn.c.contract_id))))
        ).group_by(cn.c.owner_project_id).order_by(cn.c.owner_project_id)
        if owner_project_id:
            query = query.where(cn.c.owner_project_id == owner_project_id)
        with self.reader() as session:
            return [{'owner_project_id': r[0], 'contracts': r[1],
                     'revocations': r[2]} for r in session.execute(query)]

    # Money

    def settle(self, session, contract_id, now, reason):
        """Write the ledger lines that bring the contract's charges to what
        the money rule says now (settlement.target)."""
        contract = dict(session.execute(sa.select(ct).where(
            ct.c.id == contract_id)).mappings().first())
        nodes = _nodes(session, contract_id)
        want = settlement.target(contract, nodes)
        ch = models.charges
        have = {}
        for r in session.execute(
                sa.select(ch.c.party, ch.c.kind, ch.c.project_id,
                          sa.func.sum(ch.c.amount),
                          sa.func.sum(ch.c.node_hours))
                .where(ch.c.contract_uuid == contract['uuid'])
                .group_by(ch.c.party, ch.c.kind, ch.c.project_id)):
            have[(r[0], r[1], r[2])] = (decimal.Decimal(r[3] or 0),
                                        decimal.Decimal(r[4] or 0))
        lines = []
        rent, rent_hours = want['renter']['rent']
        lines.append(('renter', 'rent', contract['project_id'], rent,
                      rent_hours))
        lines.append(('renter', 'fee', contract['project_id'],
                      want['renter']['fee'], decimal.Decimal(0)))
        for project, (amount, hours) in want['owners'].items():
            lines.append(('owner', 'earning', project, amount, hours))
        lines.append(('operator', 'surplus', None,
                      want['operator']['surplus'], decimal.Decimal(0)))
        lines.append(('operator', 'fee', None, want['operator']['fee'],
                      decimal.Decimal(0)))
        rows = []
        for party, kind, project, amount, hours in lines:
            had_amount, had_hours = have.get((party, kind, project),
                                             (decimal.Decimal(0),
                                              decimal.Decimal(0)))
            # Node-hours are kept to the millisecond's hour fraction.
            hours = hours.quantize(decimal.Decimal('0.000001'))
            if amount == had_amount and hours == had_hours:
                continue
            rows.append({'contract_uuid': contract['uuid'],
                         'project_id': project, 'party': party, 'kind': kind,
                         'amount': amount - had_amount,
                         'node_hours': hours - had_hours,
                         'reason': reason[:255], 'created_at': now})
        if rows:
            session.execute(sa.insert(ch), rows)
        session.execute(sa.update(ct).where(ct.c.id == contract_id).values(
            cost=rent + want['renter']['fee']))

    def statement(self, start, end, project_id=None):
        """Every contract with charges in [start, end): per party, what
        was paid, refunded, earned and what fees, as exact decimals.

        ``project_id`` None: every organization and the operator; several
        projects: an organization's, in every cloud."""
        ch = models.charges
        where = [ch.c.created_at >= start, ch.c.created_at < end]
        if isinstance(project_id, str):
            where.append(ch.c.project_id == project_id)
        elif project_id is not None:
            where.append(ch.c.project_id.in_(project_id))
        with self.reader() as session:
            rows = session.execute(
                sa.select(ch.c.contract_uuid, ch.c.project_id, ch.c.party,
                          ch.c.kind, ch.c.amount, ch.c.node_hours,
                          ch.c.created_at)
                .where(*where).order_by(ch.c.id)).all()
        return _statement(rows, project_id is None)


def free_spans(start, end, busy, now):
    """The parts of [max(start, now), end) not covered by ``busy``."""
    cursor = max(start, now)
    spans = []
    for busy_start, busy_end in sorted(busy):
        if busy_start > cursor:
            spans.append((cursor, min(busy_start, end)))
        cursor = max(cursor, busy_end)
        if cursor >= end:
            break
    if cursor < end:
        spans.append((cursor, end))
    return [(s, e) for s, e in spans if e > s]


def _statement(rows, with_operator):
    zero = decimal.Decimal(0)
    contracts = {}
    orgs = {}
    operator = {'surplus': zero, 'fees': zero}
    days = {}
    for uuid, project, party, kind, amount, hours, created_at in rows:
        amount = decimal.Decimal(amount)
        hours = decimal.Decimal(hours)
        day = days.setdefault(created_at.date(), dict(
            {'date': created_at.date().isoformat(), 'paid': zero,
             'refunds': zero, 'fees': zero, 'earned': zero},
            **({'surplus': zero, 'operator_fees': zero}
               if with_operator else {})))
        if party == 'operator':
            key = 'surplus' if kind == 'surplus' else 'fees'
            operator[key] += amount
            day['surplus' if kind == 'surplus' else 'operator_fees'] += \
                amount
            continue
        if party == 'renter' and kind == 'fee':
            day['fees'] += amount
        elif party == 'renter':
            day['paid' if amount >= 0 else 'refunds'] += abs(amount)
        else:
            day['earned'] += amount
        entry = contracts.setdefault((uuid, project, party), {
            'contract_uuid': uuid, 'project_id': project, 'role': party,
            'node_hours': zero, 'paid': zero, 'refunds': zero, 'fees': zero,
            'earned': zero})
        org = orgs.setdefault(project, {
            'project_id': project, 'paid': zero, 'refunds': zero,
            'fees': zero, 'earned': zero})
        if party == 'renter' and kind == 'fee':
            entry['fees'] += amount
            org['fees'] += amount
        elif party == 'renter':
            entry['node_hours'] += hours
            key = 'paid' if amount >= 0 else 'refunds'
            entry[key] += abs(amount)
            org[key] += abs(amount)
        else:
            entry['node_hours'] += hours
            entry['earned'] += amount
            org['earned'] += amount
    result = {
        'contracts': [_text(e) for e in contracts.values()],
        'organizations': [_text(o) for _, o in sorted(orgs.items())],
        # Per UTC day with charges (microversion 1.4): what the period's
        # totals are made of, day by day.
        'days': [_text(d) for _, d in sorted(days.items())],
    }
    renters = sum((o['paid'] - o['refunds'] + o['fees']
                   for o in orgs.values()), zero)
    owners = sum((o['earned'] for o in orgs.values()), zero)
    result['totals'] = _text({'renters_paid': renters,
                              'owners_earned': owners})
    if with_operator:
        result['operator'] = _text(operator)
    return result


def _text(values):
    """Exact amounts as decimal strings (JSON numbers would be floats)."""
    return {k: (str(v.quantize(settlement.CENT))
                if isinstance(v, decimal.Decimal) and k != 'node_hours'
                else str(v.normalize()) if isinstance(v, decimal.Decimal)
                else v) for k, v in values.items()}


def _contract(session, uuid):
    row = session.execute(sa.select(ct).where(ct.c.uuid == uuid)
                          .with_for_update()).mappings().first()
    if row is None:
        raise errors.NotFound(f'Contract {uuid} not found.')
    return dict(row)


def _nodes(session, contract_id):
    return [dict(r) for r in session.execute(
        sa.select(cn).where(cn.c.contract_id == contract_id)
        .order_by(cn.c.id)).mappings()]


def _offer_by_id(session, offer_id):
    return dict(session.execute(sa.select(models.offers).where(
        models.offers.c.id == offer_id)).mappings().first())


def _lock(session, resource_uuid):
    db.lock_row(session, models.resources.c.resource_uuid, resource_uuid)


def _tell_parties(session, contract, nodes, event_type, detail, now):
    owners = {n['owner_project_id'] for n in nodes}
    session.execute(sa.insert(models.events), [
        {'project_id': project, 'object_type': 'contract',
         'object_uuid': contract['uuid'], 'event_type': event_type,
         'detail': detail, 'created_at': now}
        for project in sorted({contract['project_id'], *owners})])
