"""The one WorkDocs service model every other module reads behaviour from."""

from functools import cache

import botocore.session
from botocore.model import ServiceModel


@cache
def service_model() -> ServiceModel:
    """botocore's own WorkDocs model (loaded once: it is a few hundred KB of JSON)."""
    return botocore.session.get_session().get_service_model("workdocs")
