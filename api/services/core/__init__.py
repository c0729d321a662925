"""What every group stands on, and nothing of the domain's own decisions.

Owns: the actor making a request (``actors``), domain errors and faults (``errors``), the
audit trail's writing, personal fields kept masked with a digest (``audit``), how an ID or
mobile number is masked (``masking``; who sees them in full is ``access``'s), versioned
records with optimistic concurrency (``records``), bulk inserts (``bulk``), idempotent writes
(``idempotency``), id lists in SQL (``id_lists``), search text in SQL (``text_search``), the
vocabulary's Chinese labels (``labels``), the county's calendar of ages, grades, terms and
days (``school_age``), attachments kept on disk (``attachments``, whose owners register who
may see them) and the health check.

May import: nothing else under ``api.services``.
"""
