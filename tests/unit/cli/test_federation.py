"""``openstack market cloud|organization ...`` against the real market API.

The market's administrator is system-scoped: an empty project in these
tests' tokens ("<project>:<roles>").
"""

import fixtures

from tests.unit.cli import base

ADMIN = dict(project='', roles='admin,member,reader')
CLOUD_B = ('market', 'cloud', 'create', 'cloud-b', '--keystone-url',
           'https://keystone.cloud-b.example/v3', '--site', 'boston',
           '--endpoint', 'baremetal=https://ironic.cloud-b.example',
           '--description', 'Boston lab')


class FederationCLITestCase(base.CLITestCase):

    def assertOneLine(self, err, status):
        self.assertRegex(err, rf'\(HTTP {status} [A-Za-z ]+, request '
                              r'req-[0-9a-f-]+\)')
        self.assertEqual(1, len(err.strip().splitlines()), err)
        self.assertNotIn('Traceback', err)


class CloudTest(FederationCLITestCase):

    def test_create_list_show_delete(self):
        cloud = self.cli_json(*CLOUD_B, **ADMIN)
        self.assertEqual(
            ('cloud-b', 'boston', 'https://keystone.cloud-b.example/v3',
             {'baremetal': 'https://ironic.cloud-b.example'}, 'Boston lab'),
            (cloud['name'], cloud['site'], cloud['keystone_url'],
             cloud['endpoints'], cloud['description']))
        self.cli('market', 'cloud', 'create', 'cloud-c', '--keystone-url',
                 'https://keystone.cloud-c.example/v3', **ADMIN)

        # Every party reads them.
        listed = self.cli_json('market', 'cloud', 'list')
        self.assertEqual(['Name', 'Site', 'Keystone URL'], list(listed[0]))
        self.assertEqual([('cloud-b', 'boston'), ('cloud-c', None)],
                         [(c['Name'], c['Site']) for c in listed])
        long = self.cli_json('market', 'cloud', 'list', '--long')
        self.assertEqual({'baremetal': 'https://ironic.cloud-b.example'},
                         long[0]['Endpoints'])
        self.assertEqual(cloud, self.cli_json('market', 'cloud', 'show',
                                              'cloud-b'))
        self.assertEqual(['cloud-b', 'cloud-c'], self.cli(
            'market', 'cloud', 'list', '-f', 'value', '-c', 'Name').split())

        # Several at once; a missing one is reported and the rest deleted.
        code, out, err = self.run_cli('market', 'cloud', 'delete', 'cloud-b',
                                      'nowhere', 'cloud-c', **ADMIN)
        self.assertEqual(1, code)
        self.assertIn('Cloud nowhere: Cloud nowhere not found. (HTTP 404 '
                      'Not Found, request req-', err)
        self.assertIn('1 of 3 clouds could not be deleted.', err)
        self.assertEqual([], self.cli_json('market', 'cloud', 'list'))
        err = self.cli_error('market', 'cloud', 'show', 'cloud-b')
        self.assertIn('Cloud cloud-b not found.', err)
        self.assertOneLine(err, 404)

    def test_only_the_market_admin_registers(self):
        err = self.cli_error(*CLOUD_B)
        self.assertOneLine(err, 403)
        # A project's own admin is not the market's.
        err = self.cli_error(*CLOUD_B, project='org-b',
                             roles='admin,member,reader')
        self.assertOneLine(err, 403)
        self.assertEqual([], self.cli_json('market', 'cloud', 'list'))
        self.cli(*CLOUD_B, **ADMIN)
        err = self.cli_error(*CLOUD_B, **ADMIN)
        self.assertIn('Cloud cloud-b already exists.', err)
        self.assertOneLine(err, 409)

    def test_bad_values(self):
        err = self.cli_error('market', 'cloud', 'create', 'cloud-x',
                             '--keystone-url', 'ftp://x/v3', **ADMIN)
        self.assertIn('keystone_url', err)
        self.assertOneLine(err, 400)
        err = self.cli_error('market', 'cloud', 'create', 'cloud-x',
                             '--keystone-url', 'https://x/v3', '--endpoint',
                             'baremetal', **ADMIN)
        self.assertIn("'baremetal' is not <service-type>=<url>", err)


class OrganizationTest(FederationCLITestCase):

    def setUp(self):
        super().setUp()
        self.cli(*CLOUD_B, **ADMIN)

    def test_a_member_clouds_user_names_its_cloud(self):
        self.cli('market', 'organization', 'create', 'acme', **ADMIN)
        self.cli('market', 'organization', 'project', 'add', 'acme',
                 '--cloud', 'cloud-b', '--project', 'b-proj', **ADMIN)
        # Without the cloud's name, b-proj is a project of the market's
        # home cloud, which takes part in no organization.
        self.assertEqual([], self.cli_json(
            'market', 'organization', 'list', project='b-proj'))
        # With it (option, environment or clouds.yaml), cloud-b's b-proj.
        listed = self.cli_json('--os-market-cloud', 'cloud-b', 'market',
                               'organization', 'list', project='b-proj')
        self.assertEqual(['acme'], [o['Name'] for o in listed])
        self.useFixture(fixtures.EnvironmentVariable('OS_MARKET_CLOUD',
                                                     'cloud-b'))
        listed = self.cli_json('market', 'organization', 'list',
                               project='b-proj')
        self.assertEqual(['acme'], [o['Name'] for o in listed])
        # A bid names its project in its cloud: cloud-b:b-proj.
        bid = self.cli_json('market', 'bid', 'create', '--start', '+2h',
                            '--duration', '2h', '--price', '3',
                            '--resource-class', 'baremetal',
                            project='b-proj')
        self.assertEqual('cloud-b:b-proj', bid['project_id'])

    def test_create_members_and_delete_by_name(self):
        acme = self.cli_json('market', 'organization', 'create', 'acme',
                             '--description', 'ACME Corp', **ADMIN)
        self.assertEqual(('acme', 'ACME Corp', []),
                         (acme['name'], acme['description'],
                          acme['projects']))
        globex = self.cli_json('market', 'organization', 'create',
                               'globex', **ADMIN)

        # The cloud's (or the market's) admin adds a project, by the
        # organization's name.
        added = self.cli_json('market', 'organization', 'project', 'add',
                              'acme', '--cloud', 'cloud-b', '--project',
                              'b-proj', **ADMIN)
        self.assertEqual([{'cloud': 'cloud-b', 'project_id': 'b-proj'}],
                         added['projects'])
        self.assertEqual(added, self.cli_json(
            'market', 'organization', 'show', acme['uuid'], **ADMIN))
        self.assertEqual(added, self.cli_json(
            'market', 'organization', 'show', 'acme', **ADMIN))
        table = self.cli('market', 'organization', 'show', 'acme', **ADMIN)
        self.assertIn('cloud-b:b-proj', table)

        listed = self.cli_json('market', 'organization', 'list', **ADMIN)
        self.assertEqual(['UUID', 'Name', 'Projects'], list(listed[0]))
        self.assertEqual(
            [('acme', [{'cloud': 'cloud-b', 'project_id': 'b-proj'}]),
             ('globex', [])],
            [(o['Name'], o['Projects']) for o in listed])
        long = self.cli_json('market', 'organization', 'list', '--long',
                             **ADMIN)
        self.assertEqual('ACME Corp', long[0]['Description'])
        # A project of the home cloud is in none: it sees none.
        self.assertEqual([], self.cli_json('market', 'organization',
                                           'list'))

        # A project takes part in one organization at most.
        err = self.cli_error('market', 'organization', 'project', 'add',
                             'globex', '--cloud', 'cloud-b', '--project',
                             'b-proj', **ADMIN)
        self.assertIn('already takes part in an organization', err)
        self.assertOneLine(err, 409)
        # A cloud in use stays.
        err = self.cli_error('market', 'cloud', 'delete', 'cloud-b', **ADMIN)
        self.assertIn('still has projects in organizations', err)

        self.assertEqual('', self.cli(
            'market', 'organization', 'project', 'remove', 'acme',
            '--cloud', 'cloud-b', '--project', 'b-proj', **ADMIN))
        self.assertEqual([], self.cli_json(
            'market', 'organization', 'show', 'acme', **ADMIN)['projects'])
        err = self.cli_error('market', 'organization', 'project', 'remove',
                             'acme', '--cloud', 'cloud-b', '--project',
                             'b-proj', **ADMIN)
        self.assertIn('Project b-proj of cloud cloud-b is not in '
                      'organization', err)
        self.assertOneLine(err, 404)

        # By name and by UUID.
        self.assertEqual('', self.cli('market', 'organization', 'delete',
                                      'acme', globex['uuid'], **ADMIN))
        self.assertEqual([], self.cli_json('market', 'organization', 'list',
                                           **ADMIN))
        err = self.cli_error('market', 'organization', 'show', 'acme',
                             **ADMIN)
        self.assertIn('No organization named acme', err)
        err = self.cli_error('market', 'organization', 'show', acme['uuid'],
                             **ADMIN)
        self.assertOneLine(err, 404)

    def test_refusals(self):
        err = self.cli_error('market', 'organization', 'create', 'acme')
        self.assertOneLine(err, 403)
        acme = self.cli_json('market', 'organization', 'create', 'acme',
                             **ADMIN)
        err = self.cli_error('market', 'organization', 'create', 'acme',
                             **ADMIN)
        self.assertIn('An organization named acme already exists.', err)
        self.assertOneLine(err, 409)
        # A project admin is not a cloud admin.
        err = self.cli_error('market', 'organization', 'project', 'add',
                             acme['uuid'], '--cloud', 'cloud-b', '--project',
                             'org-b', project='org-b',
                             roles='admin,member,reader')
        self.assertOneLine(err, 403)
        err = self.cli_error('market', 'organization', 'project', 'add',
                             acme['uuid'], '--cloud', 'cloud-z', '--project',
                             'z-proj', **ADMIN)
        self.assertIn('Cloud cloud-z is not registered.', err)
        self.assertOneLine(err, 400)
        err = self.cli_error('market', 'organization', 'delete',
                             acme['uuid'], project='org-b')
        self.assertIn('(HTTP 403 Forbidden, request req-', err)
        self.assertIn('1 of 1 organizations could not be deleted.', err)
        # Not one of its projects: as if it did not exist.
        err = self.cli_error('market', 'organization', 'show', acme['uuid'])
        self.assertOneLine(err, 404)
