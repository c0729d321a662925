"""Who answers for which unit and child: 双线控辍 (the government line and the education
line) and 四包 (包村、包组、包户、包人).

Owns: assignments of people to areas, schools, classes and children (``assignments``), their
import from a clerk's workbook (``assignment_rows``, ``assignment_import``), a child's chain
of responsibility on both lines (``responsibility``) and the units nobody answers for
(``responsibility_gaps``).

May import: core, access, integrations, spreadsheets, registry, status.
"""
