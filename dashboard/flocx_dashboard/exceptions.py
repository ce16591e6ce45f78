"""Errors of the FLOCX APIs as Horizon sees them: flocxclient's own.

The enabled files name these classes in ADD_EXCEPTIONS while Horizon's
settings are still loading (flocxclient.exceptions imports nothing but the
standard library), which sorts them into Horizon's exception categories
(recoverable: a message and back to the page; not_found; unauthorized: back
to the login page).
"""

from flocxclient import exceptions

# Every error answer (or no answer) from the marketplace, auction or
# provider API.
MarketplaceError = exceptions.ClientException
MarketplaceNotFound = exceptions.NotFound
MarketplaceForbidden = exceptions.Forbidden
MarketplaceUnauthorized = exceptions.Unauthorized
