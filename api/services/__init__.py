"""The domain logic, one module per concept; services know nothing of HTTP."""
