"""Whose records a caller reads: its organization's, in every cloud.

An organization can be known in several clouds (its project in cloud A, its
project in cloud B): what any of its projects offers, bids or rents is the
organization's, and each of its projects reads it all in listings, events
and statements. Changes stay with the project that made the order (its
members cancel it), as the policy rules say.
"""

import pecan

from flocx_common.api import helpers


def visible_parties(ctx, all_projects_rule):
    """None when the caller may see every project (``all_projects_rule``),
    else the projects of its organization (its own alone when it takes part
    in none)."""
    if helpers.visible_project(ctx, all_projects_rule) is None:
        return None
    return pecan.request.services.market.party_projects(ctx)
