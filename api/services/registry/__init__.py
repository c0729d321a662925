"""The population and the schools as the county records them: who lives where, who is
registered at which school.

Owns: areas from county to village group (``areas``, ``area_rules``), schools and classes
(``schools``, ``school_registry``), households and their import (``households``,
``household_import``, ``import_plan``), children, the clerk's checks on a child's record and
child search (``children``, ``child_rules``, ``child_search``), enrolments and transfers
(``enrolments``), ID numbers (``id_number``) and names in pinyin (``names``).

May import: core, access, integrations, spreadsheets.
"""
