"""Small pieces every handler uses: identity, query strings, list pages."""

import pecan

from flocx_common.api import errors
from flocx_common.api import pagination
from flocx_common.api import validation


def visible_project(ctx, all_projects_rule='flocx:admin_reader'):
    """None when the caller may see every project, else its own project.

    ``all_projects_rule``: the policy rule that lets a caller see every
    project's records of this kind (e.g. ``flocx:bid:list_all``).
    A caller that is neither allowed that nor project-scoped (e.g. a
    domain-scoped token) is refused: "no project" must never read as
    "every project".
    """
    if ctx.allowed(all_projects_rule):
        return None
    if not ctx.project_id:
        raise errors.Forbidden('Use a project-scoped token.',
                               code='flocx.project_scope_required')
    return ctx.project_id


def check_params(params, allowed):
    repeated = sorted(k for k, v in params.items() if isinstance(v, list))
    if repeated:
        raise errors.BadRequest(
            f'Query parameter(s) given more than once: '
            f'{", ".join(repeated)}.')
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        raise errors.BadRequest(
            f'Unknown query parameter(s): {", ".join(unknown)}. Allowed: '
            f'{", ".join(sorted(allowed))}.')


def time_params(params, names):
    return {name: validation.parse_time(params[name], name)
            for name in names if params.get(name)}


def choice_param(params, name, choices):
    value = params.get(name)
    if value is not None and value not in choices:
        raise errors.BadRequest(
            f'{name} must be one of {", ".join(choices)}, not {value!r}.')
    return value


def page(request, key, items, limit):
    body = {key: items}
    link = pagination.next_link(request, items, limit,
                                request.services.conf.api.public_endpoint)
    if link:
        body['next'] = link
    return body


def created(location_suffix, body):
    pecan.response.status = 201
    pecan.response.location = (
        pecan.request.path_url.rstrip('/') + '/' + location_suffix)
    return body
