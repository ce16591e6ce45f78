"""OpenStack-API-Version negotiation, as Placement and Ironic do it."""

import microversion_parse

from flocx_common.api import errors

HEADER = 'OpenStack-API-Version'


class Version(microversion_parse.Version):
    pass


def negotiate(headers, service_type, min_version, max_version):
    """The version this request gets; 400 if malformed, 406 if unsupported.

    No header means the minimum, so that old clients keep working.
    """
    requested = microversion_parse.get_version(
        headers, service_type=service_type)
    if requested is None:
        return min_version
    if requested.strip() == 'latest':
        return max_version
    try:
        version = microversion_parse.parse_version_string(requested)
    except (TypeError, ValueError):
        raise errors.BadRequest(
            f'Invalid {HEADER} header {requested!r}: expected '
            f'"{service_type} X.Y" or "{service_type} latest".',
            code='flocx.invalid_version')
    if not min_version <= version <= max_version:
        raise errors.NotAcceptable(
            f'Version {version} is not supported: this service supports '
            f'{min_version} to {max_version}.',
            code='flocx.unsupported_version')
    return version


def parse(text):
    return microversion_parse.parse_version_string(text)
