"""The commit-message rules (.gitlint) and the hooks that apply them (.pre-commit-config.yaml).

Messages are linted by the gitlint the project pins, with the repository's own configuration,
so that what the README promises is what the hook enforces: through gitlint's own linter for
the many examples, and through its command line as the hook and the README call it. The hooks
themselves are tried in a throwaway repository: CI never installs them, and the real
repository's are not touched.
"""

import os
import shutil
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


def test_the_pre_commit_configuration_is_valid() -> None:
    result = subprocess.run(
        [tool("pre-commit"), "validate-config", str(ROOT / ".pre-commit-config.yaml")],
        capture_output=True,
        text=True,
        env=clean_env(),
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_installed_hooks_refuse_a_bad_message_and_take_a_good_one(tmp_path: Path) -> None:
    """`make hooks`'s command in a repository of its own, then real commits through it."""
    git = shutil.which("git")
    if git is None:
        pytest.fail("git is needed to try the hooks")
    repo = tmp_path / "repo"
    repo.mkdir()
    env = clean_env(
        PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"),
        HOME=str(tmp_path),  # no global git configuration or template hooks of the caller's
        GIT_CONFIG_NOSYSTEM="1",
    )

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(args, cwd=repo, env=env, capture_output=True, text=True, check=False)

    for args in (
        ["init", "--quiet", "--initial-branch=main"],
        ["config", "user.name", "Baoxue Dev"],
        ["config", "user.email", "dev@baoxue.invalid"],
    ):
        assert run(git, *args).returncode == 0
    for name in (".pre-commit-config.yaml", ".gitlint"):
        shutil.copy(ROOT / name, repo / name)
    # The hooks call .venv/bin/ruff and .venv/bin/gitlint relative to the repository.
    (repo / ".venv").symlink_to(BIN.parent, target_is_directory=True)
    (repo / "notes.txt").write_text("no Python and nothing under mobile_pwa/ is staged\n")
    assert run(git, "add", ".pre-commit-config.yaml", ".gitlint", "notes.txt").returncode == 0

    installed = run(tool("pre-commit"), "install", "--hook-type", "pre-commit",
                    "--hook-type", "commit-msg")  # fmt: skip
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert (repo / ".git" / "hooks" / "commit-msg").exists()

    refused = run(git, "commit", "--quiet", "-m", "added the hooks.")
    assert refused.returncode != 0
    assert "T7" in refused.stdout + refused.stderr
    assert run(git, "rev-parse", "--verify", "--quiet", "HEAD").returncode != 0

    taken = run(git, "commit", "--quiet", "-m", "Tooling: commit hooks", "-m", GOOD_BODY)
    assert taken.returncode == 0, taken.stdout + taken.stderr
    assert run(git, "log", "--format=%s").stdout.strip() == "Tooling: commit hooks"
