"""``openstack market version list``: the API versions each service serves."""

from flocxclient import client as flocx_client
from flocxclient import exceptions

from flocx_cli import common

COLUMNS = ('service_type', 'id', 'status', 'min_version', 'max_version')


class ListVersions(common.Lister):
    """List the versions and microversion ranges of the three FLOCX APIs."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            '--service', metavar='<service-type>',
            choices=flocx_client.SERVICE_TYPES,
            help='Only this service: marketplace, auction or provider '
                 '(default: all three; those without an endpoint are '
                 'skipped with a warning).')
        return parser

    def take_action(self, args):
        rows = []
        for service_type in ([args.service] if args.service
                             else flocx_client.SERVICE_TYPES):
            try:
                versions = self.flocx.list_versions(service_type)
            except exceptions.EndpointNotFound as e:
                if args.service:
                    raise
                self.log.warning('%s', e)
                continue
            rows.extend(dict(v, service_type=service_type) for v in versions)
        return common.table(rows, COLUMNS)
