"""A child's schooling status (在校, 辍学, 休学, 送教上门, 免缓学...) and how it changes.

Owns: the status rules and what each status needs (``status_rules``); setting a status
(``schooling_status``); applications for a status that needs proof, with their certificates
(``status_applications``).

May import: core, access, integrations, spreadsheets, registry.
"""
