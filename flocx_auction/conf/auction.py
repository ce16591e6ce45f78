from oslo_config import cfg

opts = [
    cfg.StrOpt('mechanism', default='welfare',
               help='Auction mechanism (a flocx.auction.mechanisms plug-in): '
                    'welfare, mcafee, pay_as_bid or fcfs. See the admin '
                    'guide for their properties.'),
    cfg.FloatOpt('round_interval', default=60.0, min=0.1,
                 help='Seconds between two clearing rounds.'),
    cfg.FloatOpt('answer_before_start', default=43200.0, min=0,
                 help='How long before a bid\'s earliest start the engine '
                      'must answer it, in seconds, unless the bid\'s '
                      'decide_by is earlier. Holding bids longer weighs '
                      'more competing bids together (more welfare); '
                      'answering sooner tells renters sooner.'),
    cfg.StrOpt('coordination_url',
               help='tooz backend for electing the one engine that clears, '
                    'e.g. redis://127.0.0.1:6379. Default: a file lock in '
                    'state_path, which only coordinates engines on one '
                    'host.'),
    cfg.StrOpt('state_path', default='/var/lib/flocx',
               help='Directory for the engine\'s local state.'),
    cfg.FloatOpt('resync_interval', default=600.0, min=1,
                 help='Seconds between full reloads of the order book from '
                      'the market, the source of truth. Casts keep the book '
                      'current in between; a refused contract forces a '
                      'reload at once.'),
    cfg.FloatOpt('solver_time_limit', default=20.0, min=0.1,
                 help='Longest time in seconds a round spends in the exact '
                      'or LP solver (books of up to 3,000 bids); the greedy '
                      'plan stands when it runs out. Lower it when rounds '
                      'must be short; a round stopped by the clock may plan '
                      'differently on another machine.'),
    cfg.FloatOpt('api_answer_timeout', default=5.0, min=0.5,
                 help='Longest time in seconds the auction API waits for an '
                      'answer from the leading engine (status, and whether '
                      'one leads before a round is started) or from the '
                      'market (rounds, prices) before it answers 503 with '
                      'Retry-After. A round, once an engine has answered, '
                      'may take longer (up to solver_time_limit and more).'),
    cfg.IntOpt('publish_price_min_contracts', default=3, min=1,
               help='Publish a round\'s clearing price of a resource class '
                    '(in /v1/rounds and /v1/prices) only when at least this '
                    'many contracts were made in that class: in a thin '
                    'market the price would reveal the other side\'s bid. '
                    'Admins always see every price in the round\'s stats.'),
]


def register_opts(conf):
    conf.register_opts(opts, group='auction')
