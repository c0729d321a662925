"""What the county hands upward: ledgers, the school's monthly report, the campaign summary.

Owns: the children ledger (``children_ledger``), the dropout ledgers (``dropout_ledger``), the
school's monthly report (``monthly_report``) and the campaign summary with its steps, workbook
and printable page (``campaign_summary`` and ``campaign_summary_*``).

May import: every group below it.
"""
