"""[remote_access]: identities this cloud makes for renters of other clouds.

A renter whose organization lives in another cloud has no identity here. At
its contract's start this cloud's provider makes one in its own Keystone: a
project standing for the renter (in ``domain``), made the nodes' lessee, and
a user of that contract alone with an application credential that expires
with the contract. The credential is handed to the renter through the
market; the user is deleted at the contract's end, or at once on an early
end, which stops the credential.

The identity configured here (auth options below) is this cloud's own, kept
by this cloud's provider: a user who may manage projects, users and role
assignments in ``domain`` (e.g. ``admin`` on that domain). No other cloud
ever holds it.
"""

from keystoneauth1 import loading
from oslo_config import cfg

GROUP = 'remote_access'

opts = [
    cfg.BoolOpt('enabled', default=False,
                help='Make identities here for renters of other clouds. '
                     'Off: a contract of another cloud\'s renter fails at '
                     'its start (nobody could use the node).'),
    cfg.StrOpt('domain', default='flocx-remote',
               help='Keystone domain of the projects and users made for '
                    'renters of other clouds (created if missing).'),
    cfg.StrOpt('role', default='member',
               help='Role of a renter\'s contract user on its project: '
                    'with Ironic\'s defaults, "member" lets it deploy and '
                    'power the nodes leased to that project.'),
    cfg.URIOpt('public_auth_url',
               help='This cloud\'s public Keystone URL, handed to renters '
                    'with their credential. Default: the auth_url below.'),
]


def register_opts(conf):
    conf.register_opts(opts, group=GROUP)
    loading.register_session_conf_options(conf, GROUP)
    loading.register_auth_conf_options(conf, GROUP)


def list_opts():
    return (opts + loading.get_session_conf_options()
            + loading.get_auth_common_conf_options()
            + loading.get_auth_plugin_conf_options('password'))
