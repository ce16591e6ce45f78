"""flocx-provider-manager: carries out contracts and leases in Ironic."""

import threading

from oslo_log import log

from flocx_common import cmd
from flocx_common import context
from flocx_common import rpc
from flocx_provider import conf as provider_conf
from flocx_provider.conf import provider as provider_opts
from flocx_provider import manager
from flocx_provider import provider

LOG = log.getLogger(__name__)


class ManagerService:
    """The RPC server plus the fulfilment loop, startable in any process."""

    def __init__(self, conf, services=None, executor=None):
        self.conf = conf
        self.services = services or provider.build_services(conf)
        self.manager = manager.ProviderManager(self.services,
                                               executor=executor)
        self.server = rpc.get_server(
            conf, rpc.PROVIDER_TOPIC, [self.manager],
            enforcer=self.services.enforcer,
            server=provider_opts.provider_name(conf))
        self._stop = threading.Event()
        self._loop = threading.Thread(target=self._sweep_loop, daemon=True,
                                      name='provider-fulfilment')

    def start(self):
        self.server.start()
        self._loop.start()

    def stop(self):
        self._stop.set()
        self.manager.wake.set()
        self.server.stop()
        self.server.wait()
        self._loop.join(timeout=self.conf.provider.stop_grace)
        self.manager.stop(self.conf.provider.stop_grace)

    def _sweep_loop(self):
        ctx = context.get_admin_context(self.services.enforcer)
        while not self._stop.is_set():
            # Cleared before the sweep: a nudge during it means sweep again.
            self.manager.wake.clear()
            try:
                wait = self.manager.sweep(ctx)
            except Exception:
                # The database may be restarting; the next sweep retries.
                LOG.exception('Fulfilment sweep failed')
                wait = self.conf.provider.poll_interval
            self.manager.wake.wait(wait)


def main(argv=None):
    cmd.run_service('flocx-provider-manager', provider_conf.get_conf, ManagerService, argv)
