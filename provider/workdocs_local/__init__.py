"""workdocs-local: a WorkDocs-compatible service driven by botocore's WorkDocs model.

Layout follows moto: ``models`` holds state and operation semantics, ``protocol`` and
``validation`` the model-driven wire format, ``routes`` the route table, ``errors`` the
error shapes, ``auth`` SigV4, ``faults`` fault injection and the request log, ``app`` the
WSGI application and ``server``/``cli`` how it is run.
"""

from workdocs_local.server import WorkDocsLocalServer

__all__ = ["WorkDocsLocalServer"]
