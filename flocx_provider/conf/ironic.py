"""[ironic]: the identity the provider acts with towards Keystone and Ironic.

It is the FLOCX service user (``flocx``). The provider scopes it to the
project that owns a node, where the owner's operator granted it the
``service`` role: Ironic lets that identity act on nodes owned by that
project only (ironic_patches/README.rst). Give user and password (or an
application credential of that user), never a project: the project is
chosen per request.
"""

from keystoneauth1 import loading

GROUP = 'ironic'


def register_opts(conf):
    loading.register_session_conf_options(conf, GROUP)
    loading.register_auth_conf_options(conf, GROUP)
    loading.register_adapter_conf_options(conf, GROUP)
    conf.set_default('service_type', 'baremetal', group=GROUP)
    conf.set_default('valid_interfaces', ['internal', 'public'], group=GROUP)


def list_opts():
    return (loading.get_session_conf_options()
            + loading.get_auth_common_conf_options()
            + loading.get_auth_plugin_conf_options('password')
            + loading.get_adapter_conf_options(include_deprecated=False))
