"""Hooks of the schemathesis runs of tests/app/test_contract.py, which its CLI loads (the `hooks`
of its configuration) in a process of its own.

Schemathesis feeds the ids it reads in answers back into later calls, and so finds the
caller's own account among the users: one PATCH that disables it or demotes it, or one
password reset (which asks for a new password before anything else), and every later call
answers 401 or 403 - documented, but the rest of the API would go untested. So a call on
the caller's own account is made on a stand-in instead: another county administrator, as
real, whose loss costs the run nothing.
"""

import os
from typing import Any

import schemathesis

CALLER = "BAOXUE_CONTRACT_CALLER"
STAND_IN = "BAOXUE_CONTRACT_STAND_IN"


@schemathesis.hook
def before_call(
    context: schemathesis.HookContext, case: schemathesis.Case[Any], kwargs: Any
) -> None:
    parameters = case.path_parameters
    if parameters and str(parameters.get("user_id", "")).lower() == os.environ[CALLER]:
        parameters["user_id"] = os.environ[STAND_IN]
