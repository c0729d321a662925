"""Bringing a child back: the dropout case from report to stable return.

Owns: the case lifecycle as one transition table, with what each action needs and stamps,
and when a child found out of school opens a case (``case_rules``);
deadlines (``case_deadlines``), cases (``cases``), transfers between areas
(``case_transfers``), escalation of missed deadlines up the chain (``escalations``), who
is told of a report up or a transfer (``case_notices``),
persuasion attempts (``persuasion_attempts``), one-child return plans and their templates
(``return_plans``, ``plan_templates``) and follow-ups after return (``follow_ups``).

May import: core, access, integrations, spreadsheets, registry, status, responsibility.
"""
