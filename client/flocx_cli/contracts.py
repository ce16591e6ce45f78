"""``openstack market contract ...``: what the auction agreed.

Contracts are written by the auction engine; the renter and the owners of
the nodes see them. From marketplace microversion 1.1 the renter returns
nodes early or extends the contract, an owner (or the market's admin)
revokes nodes, and a renter of another cloud reads its credential for the
nodes' cloud ("contract access show").
"""

import os
import time

from osc_lib import exceptions as osc_exceptions
import yaml

from flocx_cli import common

LIST_COLUMNS = ('uuid', 'bid_uuid', 'project_id', 'start_time', 'end_time',
                'price', 'cost', 'status')
LONG_COLUMNS = ('nodes', 'status_reason', 'created_at', 'updated_at')
STATUSES = ('scheduled', 'active', 'completed', 'cancelled', 'failed',
            'revoked')
# How often --wait asks whether the provider took the nodes back, and for
# how long at most (a provider reclaims at its next sweep).
WAIT_INTERVAL = 5.0
WAIT_TIMEOUT = 1800
SORT_KEYS = ('created_at', 'updated_at', 'start_time', 'end_time', 'price')


class ListContracts(common.Lister):
    """List contracts your project rents or lends nodes in (admin: all)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--status', choices=STATUSES,
                            help='Only contracts with this status.')
        parser.add_argument('--bid', metavar='<uuid>',
                            help='Only the contract(s) made for this bid.')
        common.add_project_option(
            parser, 'Only contracts of this renter project, name or ID.')
        common.add_time_filters(parser)
        common.add_list_options(parser, SORT_KEYS)
        return parser

    def take_action(self, args):
        contracts = self.flocx.list_contracts(**common.list_params(
            args, status=args.status, bid_uuid=args.bid,
            project_id=common.project_id(self.app, args),
            **common.time_filters(args)))
        return common.table(contracts, LIST_COLUMNS,
                            long_fields=LONG_COLUMNS, long=args.long)


class ShowContract(common.ShowOne):
    """Show one contract, with the nodes it books."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('contract', metavar='<uuid>',
                            help='Contract UUID.')
        return parser

    def take_action(self, args):
        return common.show(self.flocx.get_contract(args.contract))


def add_contract_argument(parser):
    parser.add_argument('contract', metavar='<uuid>', help='Contract UUID.')


def add_node_option(parser, what):
    parser.add_argument(
        '--node', metavar='<uuid>', action='append', dest='nodes',
        default=[],
        help=f'UUID of a node of the contract to {what} (its resource UUID, '
             'as "contract show" lists under nodes); repeat for several. '
             'Default: every node still live.')


class ReturnContract(common.ShowOne):
    """Give a contract's nodes back before its end (renter).

    Nodes returned before the start go back on the market whole; a lent
    node ends now and its provider takes it back at its next sweep. When
    every node is returned the contract is completed (cancelled if it had
    not started). Needs marketplace microversion 1.1.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        add_contract_argument(parser)
        add_node_option(parser, 'return')
        parser.add_argument(
            '--wait', action='store_true',
            help='Wait until the provider has taken back every returned '
                 'node that was lent (its reclaimed_at is set), and show '
                 f'the contract then (at most {WAIT_TIMEOUT // 60} '
                 'minutes).')
        return parser

    def take_action(self, args):
        contract = self.flocx.return_contract(args.contract, args.nodes)
        if args.wait:
            contract = wait_for_reclaim(self.flocx, contract, args.nodes)
        return common.show(contract)


def _unreclaimed(contract, nodes):
    """Returned nodes of ``contract`` (of ``nodes`` if given) that were
    lent and not yet taken back by their provider."""
    return [n['resource_uuid'] for n in contract.get('nodes', [])
            if n.get('end_kind') == 'returned'
            and (not nodes or n['resource_uuid'] in nodes)
            and n.get('lent_at') and not n.get('reclaimed_at')]


def _sleep(seconds):
    time.sleep(seconds)


def wait_for_reclaim(flocx, contract, nodes=(), interval=None,
                     timeout=None, clock=time.monotonic, sleep=None):
    """The contract once every returned node that was lent is reclaimed."""
    interval = interval or WAIT_INTERVAL
    timeout = timeout or WAIT_TIMEOUT
    sleep = sleep or _sleep
    deadline = clock() + timeout
    while True:
        pending = _unreclaimed(contract, nodes)
        if not pending:
            return contract
        if clock() > deadline:
            raise osc_exceptions.CommandError(
                f'Contract {contract["uuid"]}: node(s) {", ".join(pending)} '
                f'not taken back by their provider {timeout // 60} minutes '
                'after the return: is the provider running?')
        sleep(interval)
        contract = flocx.get_contract(contract['uuid'])


class ExtendContract(common.ShowOne):
    """Move a contract's end later (renter).

    Granted only if every live node is free until the new end (plus its
    cleaning gap) within its owner's offer; all nodes or none. A refusal
    names the node and why. Needs marketplace microversion 1.1.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        add_contract_argument(parser)
        parser.add_argument(
            '--end', metavar='<time>', required=True, type=common.time,
            help=f'The new end: {common.TIME_HELP}.')
        return parser

    def take_action(self, args):
        return common.show(self.flocx.extend_contract(args.contract,
                                                      args.end))


class RevokeContract(common.ShowOne):
    """End nodes of a contract early (their owner, or the market's admin).

    The renter is told the reason and refunded the unused time; an owner
    revokes its own nodes only. Revocations count in "reliability list".
    Needs marketplace microversion 1.1.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        add_contract_argument(parser)
        parser.add_argument(
            '--reason', metavar='<reason>', required=True,
            help='Why, as the renter is told (up to 255 characters).')
        add_node_option(parser, 'revoke')
        return parser

    def take_action(self, args):
        return common.show(self.flocx.revoke_contract(
            args.contract, args.reason, args.nodes))


class ShowContractAccess(common.ShowOne):
    """Show your credential for the nodes' cloud (renter of another cloud).

    A secret, shown to the renter's project alone: an application
    credential of the nodes' cloud made for this contract, expiring with
    it. Renters of the nodes' own cloud have none.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        add_contract_argument(parser)
        parser.add_argument(
            '--clouds-yaml', metavar='<path>',
            help='Also write the credential into this clouds.yaml (made '
                 'if missing, readable by you alone; other clouds in it are '
                 'kept), as cloud --cloud-name: then `openstack --os-cloud '
                 '<name> baremetal node list` shows your nodes there.')
        parser.add_argument(
            '--cloud-name', metavar='<name>',
            help='The clouds.yaml entry to write (default: '
                 'flocx-<first 8 characters of the contract>).')
        return parser

    def take_action(self, args):
        body = self.flocx.get_contract_access(args.contract)
        access = body.get('access')
        if not isinstance(access, dict):
            access = {'access': access}
        if args.clouds_yaml:
            name = args.cloud_name or f'flocx-{body["contract_uuid"][:8]}'
            write_clouds_yaml(args.clouds_yaml, name, access)
        return common.show(dict(access, contract_uuid=body['contract_uuid']))


def clouds_yaml_entry(access):
    """A clouds.yaml cloud for an application credential the market
    handed over."""
    auth = {key: access[key] for key in (
        'auth_url', 'application_credential_id',
        'application_credential_secret') if access.get(key)}
    missing = {'auth_url', 'application_credential_id',
               'application_credential_secret'} - set(auth)
    if missing:
        raise osc_exceptions.CommandError(
            'The credential has no ' + ', '.join(sorted(missing))
            + ': it cannot be written as a clouds.yaml entry.')
    entry = {'auth_type': 'v3applicationcredential', 'auth': auth,
             'identity_api_version': 3}
    if access.get('region_name'):
        entry['region_name'] = access['region_name']
    return entry


def write_clouds_yaml(path, name, access):
    """Add (or replace) cloud ``name`` in the clouds.yaml at ``path``; the
    file holds secrets, so it is the user's alone (0600)."""
    entry = clouds_yaml_entry(access)
    try:
        with open(path) as f:
            config = yaml.safe_load(f) or {}
    except FileNotFoundError:
        config = {}
    except (OSError, yaml.YAMLError) as e:
        raise osc_exceptions.CommandError(f'Cannot read {path}: {e}')
    if not isinstance(config, dict) or not isinstance(
            config.setdefault('clouds', {}), dict):
        raise osc_exceptions.CommandError(
            f'{path} is not a clouds.yaml (no "clouds" mapping).')
    config['clouds'][name] = entry
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, 'w') as f:
        yaml.safe_dump(config, f, default_flow_style=False, sort_keys=False)
