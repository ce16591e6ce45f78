# Horizon local_settings.py for a loopback FLOCX cloud: no memcached, no
# database. hzlocal.py installs a copy as
# <venv>/site-packages/openstack_dashboard/local/local_settings.py, with
# _HZ_DIR set on the first line; everything that changes between runs comes
# from the environment (hzlocal.py sets it).
import os

_HZ_DIR = globals().get('_HZ_DIR', os.environ.get('HZ_DIR', '/tmp/horizon'))

DEBUG = os.environ.get('HZ_DEBUG', '0') == '1'
ALLOWED_HOSTS = ['127.0.0.1', 'localhost']
# Set explicitly: otherwise Horizon writes local/.secret_key_store into
# site-packages. A local test instance only.
SECRET_KEY = os.environ.get('HZ_SECRET_KEY',
                            'flocx-local-horizon-test-only-0123456789abcdef')

# The local Keystone listens on an ephemeral port.
OPENSTACK_KEYSTONE_URL = os.environ.get('HZ_KEYSTONE_URL',
                                        'http://127.0.0.1:5000/v3')
OPENSTACK_KEYSTONE_DEFAULT_DOMAIN = 'Default'
OPENSTACK_ENDPOINT_TYPE = 'publicURL'
WEBROOT = '/'

# Horizon's defaults are memcached for both: signed-cookie sessions (no
# database, survive a restart) and a per-process memory cache instead.
SESSION_ENGINE = 'django.contrib.sessions.backends.signed_cookies'
CACHES = {'default': {
    'BACKEND': 'django.core.cache.backends.locmem.LocMemCache'}}

# Collected and compressed offline outside site-packages.
STATIC_ROOT = os.environ.get('HZ_STATIC_ROOT',
                             os.path.join(_HZ_DIR, 'static'))
COMPRESS_OFFLINE = True
COMPRESS_ENABLED = True

TIME_ZONE = 'UTC'

_console = {'handlers': ['console'], 'level': 'INFO', 'propagate': False}
LOGGING = {
    'version': 1,
    'disable_existing_loggers': False,
    'handlers': {'console': {'class': 'logging.StreamHandler',
                             'level': 'INFO'}},
    'loggers': {
        'horizon': _console,
        'openstack_dashboard': _console,
        'openstack_auth': _console,
        'flocx_dashboard': dict(_console, level='DEBUG'),
        'django.request': dict(_console, level='WARNING'),
    },
}
