"""limit/marker/sort query parameters and the ``next`` link."""

from urllib import parse

from flocx_common.api import errors


def parse_int(params, name, minimum, maximum, default=None):
    raw = params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise errors.BadRequest(f'{name} must be an integer, not {raw!r}.')
    if not minimum <= value <= maximum:
        raise errors.BadRequest(
            f'{name} must be between {minimum} and {maximum}.')
    return value


def page_params(params, conf, sort_keys, default_sort='created_at'):
    """Validated (limit, marker, sort_key, sort_dir) from a query string."""
    limit = parse_int(params, 'limit', 1, conf.api.max_limit,
                      default=conf.api.default_limit)
    sort_key = params.get('sort_key', default_sort)
    if sort_key not in sort_keys:
        raise errors.BadRequest(
            f'sort_key must be one of {", ".join(sorted(sort_keys))}.')
    sort_dir = params.get('sort_dir', 'asc')
    if sort_dir not in ('asc', 'desc'):
        raise errors.BadRequest('sort_dir must be asc or desc.')
    return limit, params.get('marker'), sort_key, sort_dir


def next_link(request, items, limit, base_url=None):
    """The URL of the next page, or None when this page is the last."""
    if len(items) < limit:
        return None
    query = [(k, v) for k, v in request.GET.items() if k != 'marker']
    query.append(('marker', items[-1]['uuid']))
    base = (base_url.rstrip('/') + request.path if base_url
            else request.path_url)
    return f'{base}?{parse.urlencode(query)}'
