from oslo_config import cfg

opts = [
    cfg.StrOpt('name',
               help='This provider\'s name: its RPC server name on topic '
                    'flocx-provider and the "provider" field of the offers '
                    'it publishes. Unique per OpenStack deployment. '
                    'Defaults to [DEFAULT] host.'),
    cfg.FloatOpt('poll_interval', default=5.0, min=0.1,
                 help='Longest time in seconds between two fulfilment '
                      'sweeps. The manager also wakes up at the next known '
                      'start or end, and when the market says a contract '
                      'changed, so starts and ends are usually honoured '
                      'much sooner than this.'),
    cfg.IntOpt('start_grace', default=600, min=0,
               help='Seconds after a contract\'s or lease\'s start during '
                    'which lending a node that Ironic refuses is retried '
                    'before the contract is reported failed.'),
    cfg.IntOpt('stop_grace', default=30, min=0,
               help='Seconds flocx-provider-manager waits on shutdown for '
                    'Ironic operations under way. What it abandons is '
                    'resumed at the next start: the market and the '
                    'fulfilment records say where each node is.'),
    cfg.IntOpt('max_attempts', default=5, min=1,
               help='Attempts at lending a node (each one already retries '
                    'transient Ironic errors) before the contract is '
                    'reported failed. Reclaiming is never given up: a node '
                    'must not stay with its renter.'),
    cfg.FloatOpt('retry_interval', default=2.0, min=0,
                 help='Seconds before the first retry of a failed lend or '
                      'reclaim; doubled at each failure.'),
    cfg.FloatOpt('max_retry_interval', default=300.0, min=0,
                 help='Longest wait between two retries, in seconds.'),
    cfg.IntOpt('workers', default=8, min=1,
               help='Ironic operations carried out at once by the manager '
                    '(each on a different node). Cleaning a node can take '
                    'an hour; it must not hold up other starts.'),
    cfg.IntOpt('market_timeout', default=30, min=1,
               help='Seconds to wait for the market to answer an RPC call.'),
    cfg.IntOpt('max_window_days', default=366, min=1,
               help='Longest offer or lease window, in days.'),
]


def register_opts(conf):
    conf.register_opts(opts, group='provider')


def provider_name(conf):
    return conf.provider.name or conf.host
