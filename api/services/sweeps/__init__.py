"""Door to door: the campaign, its sweeps and home visits, and what a phone carries.

Owns: campaigns (``campaigns``), visits and the offline batch a phone sends (``visits``),
coverage of households and children (``coverage``), the printed sweep form (``sweep_form``)
and a cadre's work package (``work_package``).

May import: every group below it, up to rosters.
"""
