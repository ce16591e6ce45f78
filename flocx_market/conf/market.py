from oslo_config import cfg

opts = [
    cfg.IntOpt('expire_interval', default=30, min=1,
               help='Seconds between two sweeps that close orders whose '
                    'time has passed.'),
    cfg.IntOpt('max_window_days', default=366, min=1,
               help='Longest availability window or bid duration, in days.'),
    cfg.IntOpt('max_advance_days', default=731, min=1,
               help='How far in the future an order may start, in days.'),
    cfg.IntOpt('max_quantity', default=1000, min=1,
               help='Most nodes one bid may ask for.'),
    cfg.FloatOpt('max_price', default=1e6, min=0,
                 help='Highest price per node-hour an order may name.'),
]


def register_opts(conf):
    conf.register_opts(opts, group='market')
