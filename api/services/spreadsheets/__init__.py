"""Workbooks in and out: reading an uploaded file's rows, writing cells safely.

Owns: reading XLSX and CSV files into typed rows by a layout of columns (``import_rows``),
keeping an import's record and its refused rows under the file's own headings
(``import_records``), and the cells of the workbooks the API writes (``sheets``).

May import: core, access.
"""
