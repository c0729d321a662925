"""The county's figures: rates, breakdowns, the snapshot, assessment and accountability.

Owns: the statistics' definitions and counts (``statistics``), their snapshot
(``statistics_snapshot``), the statistics tables (``statistics_tables``), the assessment ranking of
areas and schools (``assessment``) and the accountability of each responsible person
(``accountability``).

May import: every group below it, up to sweeps.
"""
