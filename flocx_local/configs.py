"""keystone.conf and ironic.conf for a local cloud: SQLite, loopback, no broker."""
import configparser


def write_ini(path, sections):
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_dict(sections)
    with open(path, 'w') as f:
        parser.write(f)


def keystone_conf(run_dir, log_dir):
    return {
        'DEFAULT': {'log_file': f'{log_dir}/keystone.log'},
        'database': {'connection': f'sqlite:///{run_dir}/keystone.db'},
        'token': {'provider': 'fernet'},
        'fernet_tokens': {'key_repository': f'{run_dir}/fernet-keys'},
        # Defaults to /etc/keystone/fernet-keys/, where fernet_setup would
        # otherwise write.
        'fernet_receipts': {'key_repository': f'{run_dir}/fernet-keys'},
        'credential': {'key_repository': f'{run_dir}/credential-keys'},
        # One Keystone process, so an in-memory cache stays coherent; it cuts
        # token validation from ~120 SQLite sessions to ~40.
        'cache': {'enabled': 'true', 'backend': 'dogpile.cache.memory'},
        # bcrypt cost 4 instead of 12: a password login takes ~20 ms instead
        # of ~700 ms. Local use only; must be set before users are created.
        'identity': {'password_hash_rounds': '4'},
    }


# Every hardware interface of the fake-hardware type; noop where fake has none.
FAKE_INTERFACES = {
    'enabled_hardware_types': 'fake-hardware',
    'enabled_bios_interfaces': 'fake',
    'enabled_boot_interfaces': 'fake',
    'enabled_console_interfaces': 'fake,no-console',
    'default_console_interface': 'no-console',
    'enabled_deploy_interfaces': 'fake',
    'enabled_firmware_interfaces': 'fake',
    'enabled_inspect_interfaces': 'fake',
    'enabled_management_interfaces': 'fake',
    'enabled_network_interfaces': 'noop',
    'enabled_power_interfaces': 'fake',
    'enabled_raid_interfaces': 'fake',
    'enabled_rescue_interfaces': 'fake',
    'enabled_storage_interfaces': 'noop',
    'enabled_vendor_interfaces': 'fake',
}


def ironic_conf(run_dir, log_dir, policy_file, host, port, auth_url,
                service_user, service_password, region):
    return {
        'DEFAULT': {
            'log_file': f'{log_dir}/ironic.log',
            'host': 'localhost',
            'auth_strategy': 'keystone',
            # One `ironic` process (API + conductor) calling itself directly:
            # no message broker, no JSON-RPC. Ironic requires it with SQLite.
            'rpc_transport': 'none',
            'minimum_memory_warning_only': 'true',
            # How long cotyledon waits for the API and conductor workers
            # at SIGTERM before it kills them (the API worker waits it out
            # whatever the value). A kill loses nothing: the next start
            # begins from a fresh database.
            'graceful_shutdown_timeout': '1',
            # The default, stated because FLOCX's least-privilege model needs
            # it: with it on, any `service` role user of the service project
            # (the flocx user too) would act like a system member on every
            # node. See ironic_patches/README.rst.
            'rbac_service_role_elevated_access': 'false',
            **FAKE_INTERFACES,
        },
        'api': {'host_ip': host, 'port': str(port), 'api_workers': '1'},
        # Cleaning with fake interfaces takes ~0.2 s and exercises the real
        # state machine the provider depends on.
        'conductor': {'automated_clean': 'true'},
        'database': {'connection': f'sqlite:///{run_dir}/ironic.db'},
        # Reloaded by oslo.policy when the file changes: no restart needed.
        'oslo_policy': {'policy_file': str(policy_file)},
        'keystone_authtoken': {
            'auth_type': 'password',
            'www_authenticate_uri': auth_url,
            'auth_url': auth_url,
            'username': service_user,
            'password': service_password,
            'user_domain_name': 'Default',
            'project_name': 'service',
            'project_domain_name': 'Default',
            'region_name': region,
            # keystonemiddleware looks for the internal identity endpoint by
            # default; only public is certain to exist.
            'interface': 'public',
        },
    }
