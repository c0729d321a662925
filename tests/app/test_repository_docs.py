"""The repository stands on its own: no file it tracks points at documents kept beside it.

The project's working notes (the domain brief, the API brief, the source documents) live in a
folder next to the clone, which a fresh clone, the image and a reviewer do not have. What they
say that matters is in the repository itself (docs/domain.md, the README), and the code cites
that. This walks every file git tracks, text files only (binary ones cannot cite anything), and
fails on any pointer outward, listing each place found. It also checks that
docs/domain.md explains every value of the vocabularies a newcomer meets first.
"""

import re
import shutil
import subprocess
from enum import StrEnum
from pathlib import Path

import pytest

from api.models import vocabulary
from api.settings import ROOT

# Each written so that this file does not match itself (a backslash stands in the way).
OUTSIDE = {
    "the shared folder's briefs": re.compile(r"\bshared/(?:DOMAIN|API)\b"),
    "the shared folder's sources": re.compile(r"\bshared/(?:seeds|hooks)\b"),
    "the shared folder, relatively": re.compile(r"\.\./+shared\b"),
    "the shared folder, absolutely": re.compile(r"/work/+shared\b"),
    "the domain brief by name": re.compile(r"\bDOMAIN\.md\b"),
    "the API brief by name": re.compile(r"\bAPI\.md\b"),
    "a source document by name": re.compile(r"\bseeds/\d{3}_[0-9a-f]{16}\.txt\b"),
}
BINARY_SNIFF = 8192


def tracked_files() -> list[Path]:
    git = shutil.which("git")
    if git is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: the tracked files are unknown")
    listing = subprocess.run(
        [git, "-C", str(ROOT), "ls-files", "-z"], capture_output=True, check=True
    ).stdout
    # A file deleted in the work tree but still in the index has nothing to read.
    return [ROOT / name for name in listing.decode().split("\0") if name]


def text_of(path: Path) -> str | None:
    """The file's text, or None when it is binary (a NUL byte, or not UTF-8)."""
    data = path.read_bytes()
    if b"\0" in data[:BINARY_SNIFF]:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def pointers_outside(text: str) -> list[tuple[int, str, str]]:
    """(line number, what, the text matched) for each pointer outward in ``text``."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        for what, pattern in OUTSIDE.items():
            found += [(number, what, match.group()) for match in pattern.finditer(line)]
    return found


@pytest.mark.parametrize(
    ("line", "outward"),
    [  # each example cut in two, so that this file does not point outward itself
        ('"""The case lifecycle (shared/DOM' + 'AIN.md) as one table."""', True),
        ("# differ between areas (DOM" + "AIN.md), so no other module", True),
        ("The public contract is `shared/A" + "PI.md` of the project.", True),
        ("see ../sha" + "red/notes.txt", True),
        ("cat /work/sha" + "red/x", True),
        ("(`seeds/003_5c19" + "7337bb683437.txt`)", True),
        ("Local conventions (docs/domain.md): settings, never constants.", False),
        ('"node_modules/@vue/shared": {"version": "3.5.45"}', False),
        ("the reference, docs/api-reference.md, is generated", False),
        ("a shared/ folder of our own, e.g. tests/shared/helpers.py", False),
    ],
)
def test_the_patterns_tell_a_pointer_outward(line: str, outward: bool) -> None:
    assert bool(pointers_outside(line)) is outward


def test_no_tracked_file_points_outside_the_repository() -> None:
    found = []
    for path in tracked_files():
        if not path.is_file():
            continue
        text = text_of(path)
        if text is None:
            continue
        relative = path.relative_to(ROOT)
        found += [
            f"{relative}:{n}: {matched} ({what})" for n, what, matched in pointers_outside(text)
        ]
    assert not found, (
        "point at docs/domain.md or the README instead of files outside the repository:\n"
        + "\n".join(found)
    )


# The vocabularies a newcomer meets first: docs/domain.md names each of their values, in code
# spans, so that a value added to the code without a word in the glossary fails here.
GLOSSED = (
    vocabulary.UserRole,
    vocabulary.SchoolKind,
    vocabulary.SchoolingStatus,
    vocabulary.EnrolmentStatus,
    vocabulary.AssignmentKind,
    vocabulary.CaseLine,
    vocabulary.CampaignKind,
    vocabulary.CampaignPhase,
    vocabulary.VisitOutcome,
    vocabulary.ObservedSchooling,
    vocabulary.CaseStatus,
    vocabulary.CaseAction,
    vocabulary.CaseSource,
    vocabulary.DismissalReason,
    vocabulary.DropoutReason,
    vocabulary.SupportMeasure,
    vocabulary.PersuasionMethod,
    vocabulary.AttemptOutcome,
    vocabulary.FollowUpOutcome,
    vocabulary.NotificationKind,
    vocabulary.PovertyKind,
    vocabulary.DiscrepancyKind,
    vocabulary.DiscrepancyResolution,
)


@pytest.mark.parametrize("enum", GLOSSED, ids=lambda enum: enum.__name__)
def test_the_domain_page_names_every_value(enum: type[StrEnum]) -> None:
    page = (ROOT / "docs" / "domain.md").read_text()
    missing = [member.value for member in enum if f"`{member.value}`" not in page]
    assert not missing, f"docs/domain.md does not explain {enum.__name__}: {missing}"
