"""Option parsing and --help, without any API."""

import argparse
import importlib.metadata

from keystoneauth1 import exceptions as ks_exceptions
import testtools

from flocxclient import client as flocx_client
from flocxclient import exceptions
from keystoneauth1 import session as ks_session

from flocx_cli import bids
from flocx_cli import common
from flocx_local import openstack as local_openstack
from tests.unit.cli import base


class ConstraintTest(testtools.TestCase):

    def test_operators_and_values(self):
        for text, expected in [
                ('memory_mb>=65536', ('memory_mb', '>=', 65536)),
                ('cpus > 8', ('cpus', '>', 8)),
                ('cpus<=64', ('cpus', '<=', 64)),
                ('cpus<64', ('cpus', '<', 64)),
                ('local_gb!=0', ('local_gb', '!=', 0)),
                ('cpu_arch==x86_64', ('cpu_arch', '==', 'x86_64')),
                ('ghz>=2.5', ('ghz', '>=', 2.5)),
                ('has_gpu==true', ('has_gpu', '==', True)),
                ('traits has CUSTOM_GPU', ('traits', 'has', 'CUSTOM_GPU')),
                ('cpu_arch in x86_64, aarch64',
                 ('cpu_arch', 'in', ['x86_64', 'aarch64'])),
                ('cpus in 8,16', ('cpus', 'in', [8, 16])),
                ('capabilities:boot_mode==uefi',
                 ('capabilities:boot_mode', '==', 'uefi')),
                ('name==nan', ('name', '==', 'nan'))]:
            self.assertEqual(
                dict(zip(('property', 'op', 'value'), expected)),
                bids.constraint(text), text)

    def test_refused(self):
        for text in ('memory_mb', 'memory_mb>=', '>=4', 'memory_mb=4',
                     'memory_mb ~ 4', 'traitshas X', 'a b==1'):
            self.assertRaises(argparse.ArgumentTypeError, bids.constraint,
                              text)


class DurationAndTimeTest(testtools.TestCase):

    def test_duration(self):
        for text, seconds in [('90', 90), ('45m', 2700), ('2h', 7200),
                              ('3d', 259200), ('1w', 604800),
                              ('1d12h', 129600), ('1H30M', 5400),
                              ('1.5h', 5400), ('0.5d', 43200)]:
            self.assertEqual(seconds, common.duration(text), text)
        for text in ('', 'h', '2x', '2h 30m', '-5', '.5h', '1.h', '2hours'):
            self.assertRaises(argparse.ArgumentTypeError, common.duration,
                              text)

    def test_time(self):
        self.assertEqual('2030-01-31T09:00Z', common.time('2030-01-31T09:00Z'))
        self.assertRegex(common.time('now'), r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$')
        self.assertLess(common.time('now'), common.time('+1h'))
        self.assertRaises(argparse.ArgumentTypeError, common.time, '+soon')


class HelpTest(base.CLITestCase):

    def test_every_option_is_explained(self):
        commands = importlib.metadata.entry_points(
            group='openstack.market.v1')
        self.assertEqual(45, len(commands))
        for entry_point in commands:
            cmd = entry_point.load()(None, None)
            parser = cmd.get_parser(entry_point.name.replace('_', ' '))
            for action in parser._actions:
                self.assertTrue(action.help, f'{entry_point.name}: '
                                f'{action.option_strings or action.dest}')

    def test_help_through_the_shell(self):
        out = self.cli('market', 'bid', 'create', '--help')
        for option in ('--quantity', '--resource-class', '--constraint',
                       '--start', '--latest-start', '--duration', '--price',
                       '--decide-by', 'memory_mb>=65536'):
            self.assertIn(option, out)
        out = self.cli('help', 'market', 'offer', 'list')
        self.assertIn('--sort <key>[:<asc|desc>]', out)
        out = self.cli('--help')
        self.assertIn('--os-market-api-version', out)


class EndpointTest(testtools.TestCase):

    def test_service_missing_from_the_catalog(self):
        class NoCatalog:
            def get_endpoint(self, session, **kw):
                raise ks_exceptions.EndpointNotFound()

        client = flocx_client.Client(
            ks_session.Session(auth=NoCatalog()), region_name='RegionOne',
            interface='public')
        error = self.assertRaises(exceptions.EndpointNotFound,
                                  client.get_round, 'r-1')
        self.assertIn("No 'auction' endpoint in the service catalog "
                      "(interface public, region RegionOne)", str(error))


class UnreachableTest(base.CLITestCase):

    def test_nothing_listens(self):
        self.urls['closed'] = f'http://127.0.0.1:{local_openstack.free_port()}'
        self.use_endpoints(marketplace='closed')
        err = self.cli_error('market', 'bid', 'list')
        self.assertIn('Cannot reach the marketplace API at http://127.0.0.1:',
                      err)
        self.assertIn('Unable to establish connection', err)
        self.assertNotIn('Traceback', err)
