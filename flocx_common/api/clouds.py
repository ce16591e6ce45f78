"""Tokens of several clouds: each is validated by the Keystone that issued it.

The exchange joins OpenStack clouds that do not share a Keystone. A client of
a member cloud sends its own cloud's token with the header
``OpenStack-Market-Cloud: NAME``; the market hands the token to that cloud's
Keystone only (through keystonemiddleware, one ``AuthProtocol`` per member
cloud) and never to another: a token sent to the wrong Keystone would be a
credential handed to a third party. Without the header a request belongs to
the market's home cloud and its ``[keystone_authtoken]``.

What a member cloud vouches for is who the caller is *in that cloud*: its
project and roles there. So the request remembers its cloud
(``environ['flocx.cloud']``), and a member cloud's system scope is that
cloud's administration, not the market's (see ``flocx_common.context``).

Each member cloud is configured in a group of its own, ``[cloud:NAME]``, with
the keystonemiddleware options that matter across clouds: the Keystone
address and the market's validation-only service user there. Those groups are
registered from ``[federation] member_clouds`` when the API starts.
"""

from keystonemiddleware import auth_token
from oslo_config import cfg
import webob
import webob.dec

from flocx_common.api import errors

CLOUD_HEADER = 'OpenStack-Market-Cloud'
CLOUD_ENVIRON = 'flocx.cloud'
MEMBER_ENVIRON = 'flocx.member_cloud'
_HEADER_KEY = 'HTTP_' + CLOUD_HEADER.upper().replace('-', '_')
# A cloud's name: letters, digits, '-', '_', '.' (it is a config group
# suffix), at most 31 characters, so that CLOUD:PROJECT_ID (how the market
# names a member cloud's project, see flocx_common.context) fits 64.
NAME_PATTERN = r'^[A-Za-z0-9][A-Za-z0-9_.-]{0,30}\Z'

federation_opts = [
    cfg.StrOpt('cloud_name', default='home',
               regex=NAME_PATTERN,
               help='Name of the cloud whose Keystone ([keystone_authtoken]) '
                    'this market trusts by default: requests without an '
                    f'{CLOUD_HEADER} header, or with this name in it.'),
    cfg.ListOpt('member_clouds', default=[],
                help='Other clouds whose tokens this market accepts. Each '
                     'has a [cloud:NAME] group with its Keystone address and '
                     'the validation-only service user the market has there.'),
]

member_cloud_opts = [
    cfg.URIOpt('www_authenticate_uri',
               help='Public Keystone URL of the member cloud, returned to '
                    'clients in WWW-Authenticate.'),
    cfg.URIOpt('auth_url', required=True,
               help='Keystone URL the market validates this cloud\'s tokens '
                    'against.'),
    cfg.StrOpt('auth_type', default='password',
               help='keystoneauth plugin of the market\'s service user in '
                    'this cloud.'),
    cfg.StrOpt('username', help='The market\'s service user in this cloud.'),
    cfg.StrOpt('password', secret=True,
               help='Its password (kept in this file only, mode 0600).'),
    cfg.StrOpt('user_domain_name', default='Default',
               help='Domain of that user.'),
    cfg.StrOpt('project_name', default='service',
               help='Project the user validates tokens from (it has the '
                    'service role there).'),
    cfg.StrOpt('project_domain_name', default='Default',
               help='Domain of that project.'),
    cfg.StrOpt('application_credential_id',
               help='Instead of a password: an application credential '
                    '(auth_type = v3applicationcredential).'),
    cfg.StrOpt('application_credential_secret', secret=True,
               help='Its secret.'),
    cfg.StrOpt('region_name', help='Region of that Keystone.'),
    cfg.StrOpt('cafile', help='CA bundle for this cloud\'s Keystone.'),
    cfg.IntOpt('token_cache_time', default=60, min=0,
               help='Seconds a validated token is trusted without asking '
                    'this cloud\'s Keystone again: the longest a revoked '
                    'token of this cloud still works here.'),
]


def register_opts(conf):
    conf.register_opts(federation_opts, group='federation')


def member_group(name):
    return f'cloud:{name}'


def register_member_opts(conf):
    """The [cloud:NAME] group of every configured member cloud."""
    for name in conf.federation.member_clouds:
        conf.register_opts(member_cloud_opts, group=member_group(name))


def list_opts():
    return [('federation', federation_opts),
            (member_group('name'), member_cloud_opts)]


def _keystonemiddleware_conf(conf, name):
    group = conf[member_group(name)]
    values = {opt.dest: group[opt.dest] for opt in member_cloud_opts
              if group[opt.dest] is not None}
    values.setdefault('www_authenticate_uri', values['auth_url'])
    # A private ConfigOpts: keystonemiddleware registers its options there,
    # and the values above override them (as a paste.ini section would).
    private = cfg.ConfigOpts()
    private([], project='flocx-cloud-' + name, default_config_files=[])
    values.update({'oslo_config_config': private, 'delay_auth_decision': True,
                   'include_service_catalog': False})
    return values


class CloudAuth:
    """keystonemiddleware for the home cloud and for each member cloud."""

    def __init__(self, application, conf, home_auth):
        self.home_name = conf.federation.cloud_name
        self.home_auth = home_auth
        self.member_auth = {
            name: auth_token.AuthProtocol(
                application, _keystonemiddleware_conf(conf, name))
            for name in conf.federation.member_clouds}

    @webob.dec.wsgify
    def __call__(self, request):
        environ = request.environ
        name = environ.get(_HEADER_KEY, '').strip() or self.home_name
        if name == self.home_name:
            auth = self.home_auth
        else:
            auth = self.member_auth.get(name)
            if auth is None:
                return webob.Response(
                    status=401, content_type='application/json',
                    charset=None,
                    body=errors.error_body(
                        401, f'{CLOUD_HEADER}: {name!r} is not a cloud of '
                        'this market.', code='flocx.unknown_cloud',
                        request_id=environ.get('openstack.request_id')))
        environ[CLOUD_ENVIRON] = name
        environ[MEMBER_ENVIRON] = name != self.home_name
        return request.get_response(auth)
