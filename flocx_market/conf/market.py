from oslo_config import cfg

opts = [
    cfg.IntOpt('expire_interval', default=30, min=1,
               help='Seconds between two sweeps that close orders whose '
                    'time has passed, fail contracts no provider carries '
                    'out and warn of contracts\' coming ends.'),
    cfg.IntOpt('max_window_days', default=366, min=1,
               help='Longest availability window or bid duration, in days.'),
    cfg.IntOpt('max_advance_days', default=731, min=1,
               help='How far in the future an order may start, in days.'),
    cfg.IntOpt('max_quantity', default=1000, min=1,
               help='Most nodes one bid may ask for.'),
    cfg.FloatOpt('max_price', default=1e6, min=0,
                 help='Highest price per node-hour an order may name.'),
    cfg.IntOpt('cleaning_gap', default=1800, min=0,
               help='Seconds after each rental during which a node is '
                    'never sold: the provider reclaims and cleans it then. '
                    'An offer may set its own (cleaning_gap). The renter '
                    'neither has nor pays for this time.'),
    cfg.FloatOpt('early_return_fee_percent', default=0.0, min=0, max=100,
                 help='Fee, in percent of the renter\'s price of the '
                      'node-time given back, that a renter pays the '
                      'operator when it returns nodes before their end. '
                      '0: no fee.'),
    cfg.IntOpt('provider_start_timeout', default=900, min=1,
               help='Seconds after a contract\'s start within which a '
                    'provider must have lent one of its nodes; past it the '
                    'contract fails ("no provider acted"). A contract '
                    'whose offers have no provider fails at its start. '
                    'Keep it above the providers\' [provider] start_grace.'),
    cfg.IntOpt('before_end_warning', default=3600, min=0,
               help='Seconds before a contract\'s end at which both '
                    'parties get a contract.before_end event and '
                    'notification (as Blazar\'s before_end). 0: no warning.'),
]


def register_opts(conf):
    conf.register_opts(opts, group='market')
