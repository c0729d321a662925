"""Who may do what, and see which areas, schools, classes and children.

Owns: the permission table by role (``permissions``), data scoping, the one place every query
asks what the caller may see (``scoping``), who is shown ID and mobile numbers masked
(``masking``), passwords, tokens, login and sessions (``passwords``, ``tokens``, ``auth``),
accounts and their coverage (``users``), the per-client rate limit (``rate_limits``) and
reading the audit log (``audit_log``).

May import: core.
"""
