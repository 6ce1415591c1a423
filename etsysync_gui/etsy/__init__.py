"""Talking to Etsy's Open API v3: the client, pacing, models, reads and OAuth.

No Qt and no database here: ``client`` (typed operations), ``transport`` (one request,
done properly), ``ratelimit`` and ``backoff`` (pacing), ``models`` / ``fields`` / ``money``
(typed views of Etsy's JSON), ``errors``, ``reads/`` (many-at-once reads) and ``oauth/``.
"""
