"""Finding the children no one has reported: rosters against the population.

Owns: school rosters (学籍) and their import (``roster_import``, ``roster_rows``), matching
registrations to children (``roster_matching``), reconciliation and its discrepancies
(``reconciliations``, ``discrepancy_finding``: 四查三比对), and poverty household lists
(``poverty_lists``, ``poverty_rows``).

May import: every group below it, up to cases.
"""
