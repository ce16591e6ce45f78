# Fixtures shared by the functional tests.
from tests.functional.fixtures.provider_stack import (
    flocx,  # noqa: F401
    provider_extra_conf,  # noqa: F401
)
from tests.functional.fixtures.realstack import (
    delete_nodes_after,  # noqa: F401
    ironic_default_policy,  # noqa: F401
    make_nodes,  # noqa: F401
    realstack,  # noqa: F401
)
