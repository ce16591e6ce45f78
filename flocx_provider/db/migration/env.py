from flocx_common import db
from flocx_provider.db import models

db.run_migrations(models.Base.metadata)
