"""Errors of the FLOCX APIs as Horizon sees them.

Kept free of Django imports: the enabled files name these classes in
ADD_EXCEPTIONS while Horizon's settings are still loading, which sorts them
into Horizon's exception categories (recoverable: a message and back to the
page; not_found; unauthorized: back to the login page).
"""


class MarketplaceError(Exception):
    """An error answer (or no answer) from the marketplace or auction API."""

    def __init__(self, detail, status=None, title=None, code=None,
                 pointer=None, service='marketplace'):
        super().__init__(detail)
        self.detail = detail
        self.status = status
        self.title = title
        self.code = code
        self.pointer = pointer
        self.service = service

    def __str__(self):
        return str(self.detail)


class MarketplaceNotFound(MarketplaceError):
    """404."""


class MarketplaceUnauthorized(MarketplaceError):
    """401: the token is no longer accepted."""
