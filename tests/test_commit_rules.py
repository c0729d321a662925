"""The commit-message rules (.gitlint).

Messages are linted by the gitlint the project pins, with the repository's own configuration:
through gitlint's own linter for the many examples, and through its command line as the README
calls it.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from gitlint.config import LintConfigBuilder  # type: ignore[import-untyped]
from gitlint.git import GitContext  # type: ignore[import-untyped]
from gitlint.lint import GitLinter  # type: ignore[import-untyped]

from api.settings import ROOT

BIN = Path(sys.executable).parent
GOOD_BODY = (
    "A follow-up visit that found the child gone again left the case returned, so\n"
    "the ledger showed 3 of 41 such children as back at school.\n"
)


def tool(name: str) -> str:
    """A development tool from the venv beside this Python (pytest may run without the venv
    on PATH)."""
    path = BIN / name
    if not path.exists():
        pytest.fail(f"{name} is missing: it comes with the dev dependencies (make install)")
    return str(path)


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without git's own variables: a test run from inside a hook must not
    point its git commands at the outer repository."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    return {**env, **extra}


def broken_rules(message: str) -> list[str]:
    """The ids of the rules of .gitlint that ``message`` breaks (T1, B6, ...)."""
    builder = LintConfigBuilder()
    builder.set_from_config_file(str(ROOT / ".gitlint"))
    commit = GitContext.from_commit_msg(message).commits[-1]
    return [str(violation.rule_id) for violation in GitLinter(builder.build()).lint(commit)]


def gitlint_command(message: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    file = tmp_path / "COMMIT_EDITMSG"
    file.write_text(message, encoding="utf-8")
    return subprocess.run(
        [tool("gitlint"), "--config", str(ROOT / ".gitlint"), "--msg-filename", str(file)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=clean_env(),
        check=False,
    )


def subject(length: int) -> str:
    text = ("Cases: reopen a case when a follow-up finds the child gone" + " again" * 9)[:length]
    assert len(text) == length
    assert not text.endswith(" ")
    return text


@pytest.mark.parametrize(
    "message",
    [
        pytest.param(f"Cases: reopen a case when a follow-up finds the child gone\n\n{GOOD_BODY}",
                     id="area and subject, body"),
        pytest.param(f"PWA sync: one send at start, not two\n\n{GOOD_BODY}",
                     id="area of two words"),
        pytest.param(f"Deps: pre-commit 4.7.0 and gitlint-core 0.19.1\n\n{GOOD_BODY}",
                     id="figures in the subject"),
        pytest.param(f"{subject(72)}\n\n{GOOD_BODY}", id="72 characters"),
        pytest.param("Merge branch 'main' into docs\n", id="merge, no body"),
        pytest.param('Revert "Cases: reopen a case"\n\nThis reverts commit 1234567.\n',
                     id="revert, short body"),
    ],
)  # fmt: skip
def test_a_good_message_passes(message: str) -> None:
    assert broken_rules(message) == []


@pytest.mark.parametrize(
    ("message", "rule"),
    [
        pytest.param(f"{subject(74)}\n\n{GOOD_BODY}", "T1", id="74 characters"),
        pytest.param(f"reopen a case when a follow-up finds the child gone\n\n{GOOD_BODY}", "T7",
                     id="no area prefix"),
        pytest.param(f"cases: reopen a case\n\n{GOOD_BODY}", "T7", id="area in lower case"),
        pytest.param(f"Cases:reopen a case\n\n{GOOD_BODY}", "T7", id="no space after the colon"),
        pytest.param("Cases: reopen a case when a follow-up finds the child gone\n", "B6",
                     id="no body"),
        pytest.param("Cases: reopen a case\n\nFixes it.\n", "B5", id="body too short"),
        pytest.param(f"Cases: reopen a case when the child is gone.\n\n{GOOD_BODY}", "T3",
                     id="trailing period"),
        pytest.param(f"Cases: reopen a case when the child is gone \n\n{GOOD_BODY}", "T2",
                     id="trailing space"),
    ],
)  # fmt: skip
def test_a_bad_message_fails_by_its_rule(message: str, rule: str) -> None:
    assert rule in broken_rules(message)


def test_the_command_line_passes_and_fails_as_the_linter_does(tmp_path: Path) -> None:
    """The command the README gives, and the hook runs (without --staged, which needs a repo)."""
    good = gitlint_command(f"Docs: the domain and its terms\n\n{GOOD_BODY}", tmp_path)
    assert good.returncode == 0, good.stderr
    bad = gitlint_command(f"{subject(74)}.\n", tmp_path)
    assert bad.returncode == 3, bad.stderr  # gitlint exits with the number of violations
    for rule in ("T1", "T3", "B6"):
        assert f" {rule} " in bad.stderr
