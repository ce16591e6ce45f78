# The secure-RBAC personas in the local cloud's Keystone.
from tests.functional.fixtures.realstack import rbac_personas  # noqa: F401
