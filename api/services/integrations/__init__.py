"""What the county's system tells others: third-party systems and its own people.

Owns: webhook subscriptions, the event outbox written in the transaction of a change, and its
signed delivery (``webhooks``); integration clients, their secrets, scopes and bindings
(``integration_clients``); in-app notifications to people who must act (``notifications``).

May import: core, access.
"""
