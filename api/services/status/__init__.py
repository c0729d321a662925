"""A child's schooling status (在校, 辍学, 休学, 送教上门, 免缓学...) and how it changes.

Owns: the status rules (``status_rules``): the table of allowed changes and what each needs,
what a visit's observation records, and the lawfully-out and not-yet-enrolled sets; setting a
status (``schooling_status``); applications for a status that needs proof, with their
certificates (``status_applications``).

May import: core, access, integrations, spreadsheets, registry.
"""
