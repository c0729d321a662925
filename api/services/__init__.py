"""The domain logic, grouped by the part of the county's duty each group owns.

Services know nothing of HTTP: they take keyword arguments (``create(*, session, actor, data)``)
and raise the domain errors of ``core.errors``, which the app turns into problems. The groups
are layered: each may import the groups before it in ``LAYERS`` and never one after it, so the
rules of the registry cannot come to depend on a report, nor a case on a sweep
(tests/app/test_layers.py reads every import and fails on an upward one or a cycle).
"""

LAYERS = (
    "core",
    "access",
    "integrations",
    "spreadsheets",
    "registry",
    "status",
    "responsibility",
    "cases",
    "rosters",
    "sweeps",
    "statistics",
    "reports",
)
