from flocx_common import policy as p
from flocx_common.policy import rule

rules = [
    rule('flocx:provider:node:list', p.PROJECT_READER,
         'List the Ironic nodes the caller\'s project owns, with their '
         'hardware and whether each can be offered now.',
         [('GET', '/v1/nodes')], scope_types=p.PROJECT),
]
