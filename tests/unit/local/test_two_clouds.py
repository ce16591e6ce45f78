"""flocx-local's --clouds option and the configuration a second cloud adds."""

import configparser
import types

import pytest

from flocx_local import cli
from flocx_local import federation


def test_more_than_two_clouds_are_refused(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(['up', '--clouds', '3', '--dir', str(tmp_path / 'run')])
    assert exit_.value.code == 2
    assert '--clouds 3: one or two clouds are supported' in \
        capsys.readouterr().err
    assert not (tmp_path / 'run' / 'openstack').exists()


def _cloud(auth_url):
    passwords = {'flocx': 'flocx-secret', 'admin': 'admin-secret'}
    return types.SimpleNamespace(auth_url=auth_url,
                                 password=passwords.__getitem__)


def _read(path):
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(path)
    return parser


def test_the_member_cloud_in_the_market_and_provider_configs(tmp_path):
    home = _cloud('http://127.0.0.1:5000/v3')
    member = _cloud('http://127.0.0.1:5001/v3')
    layout = cli.Layout(tmp_path)
    ports = {'market': 1, 'auction': 2, 'provider': 3}
    cli.write_configs(layout, home, ports, 'fake:/', None, extra={
        'market': federation.market_sections(member, 'validator-secret'),
        'provider': {'remote_access':
                     federation.remote_access_section(home)}})
    market = _read(layout.conf('market'))
    federation_ = market['federation']
    assert (federation_['cloud_name'], federation_['member_clouds']) == (
        'cloud-1', 'cloud-2')
    group = market['cloud:cloud-2']
    # Cloud 2's tokens go to cloud 2's Keystone, through the validator.
    assert (group['auth_url'], group['username'], group['password']) == (
        member.auth_url, 'flocx-market-validator', 'validator-secret')
    # The home cloud stays the services' own Keystone.
    assert market['keystone_authtoken']['auth_url'] == home.auth_url
    remote = _read(layout.conf('provider'))['remote_access']
    assert (remote['enabled'], remote['auth_url']) == ('true', home.auth_url)
    # Neither the auction nor one-cloud configs get any of it.
    auction = _read(layout.conf('auction'))
    assert 'federation' not in auction and 'remote_access' not in auction


def test_one_cloud_configs_have_no_federation(tmp_path):
    layout = cli.Layout(tmp_path)
    cli.write_configs(layout, _cloud('http://127.0.0.1:5000/v3'),
                      {'market': 1, 'auction': 2, 'provider': 3},
                      'fake:/', None)
    assert 'federation' not in _read(layout.conf('market'))
    assert 'remote_access' not in _read(layout.conf('provider'))
