"""docs/architecture.md and the README send a newcomer to files by name: each name must be a
file or folder of the repository, so that a move or a rename that forgets them fails here.

A path is looked for in the documents' code spans (`api/app.py`), starting at one of the
repository's top folders; a fenced block is not read. It may end in ``/`` (a folder), carry a
symbol after ``::`` or after its file's extension (`api/deps.py::ActorDep`,
`api/services/cases/cases.py.transition`, the file alone is checked), and stand for several
with ``*`` or a ``<placeholder>`` (`tests/<group>/`), which must match at least one. An address
of the API (`/api/v1/cases`) is no path: a path never follows a ``/``. The architecture page
also names every service group of ``api.services.LAYERS``.
"""

import re
from pathlib import Path

import pytest

from api.services import LAYERS
from api.settings import ROOT

DOCUMENTS = ("docs/architecture.md", "README.md")
TOP_FOLDERS = ("api", "tests", "mobile_pwa", "docs", "bench", "alembic", ".ci")
# Made by a build or a run, never committed: named by the docs, absent from a fresh clone.
BUILT = ("mobile_pwa/dist", "mobile_pwa/node_modules", "mobile_pwa/e2e/artifacts")
EXTENSIONS = ("py", "ts", "vue", "md", "json", "mjs", "sh", "html", "css", "toml", "ini", "mako")

FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"(?<!`)`([^`\n]+)`(?!`)")
PATH = re.compile(
    r"(?<![\w./-])"  # not the tail of a word, a URL or an API address
    r"((?:" + "|".join(re.escape(top) for top in TOP_FOLDERS) + r")/[\w.*<>@/-]*)"
)
SYMBOL_AFTER_FILE = re.compile(r"^(.+?\.(?:" + "|".join(EXTENSIONS) + r"))(?:\.[A-Za-z_]\w*)+$")
PLACEHOLDER = re.compile(r"<[^<>/]+>")


def written_paths(text: str) -> list[str]:
    """Every repository path in ``text``'s code spans, as written (symbols after ``::`` cut)."""
    spans = CODE_SPAN.findall(FENCE.sub("", text))
    return [path for span in spans for path in PATH.findall(span)]


def file_of(written: str) -> str:
    """The path to look for: a symbol after the file's extension cut off."""
    symbol = SYMBOL_AFTER_FILE.match(written)
    return symbol.group(1) if symbol else written


def exists(written: str, root: Path = ROOT) -> bool:
    path = file_of(written)
    folder = path.endswith("/")
    bare = path.rstrip("/")
    if any(bare == built or bare.startswith(built + "/") for built in BUILT):
        return True
    pattern = PLACEHOLDER.sub("*", bare)
    if "*" in pattern:
        found = list(root.glob(pattern))
    else:
        found = [root / pattern] if (root / pattern).exists() else []
    return any(match.is_dir() for match in found) if folder else bool(found)


@pytest.mark.parametrize(
    ("text", "paths"),
    [
        ("the factory, `api/app.py`, and `api/deps.py`", ["api/app.py", "api/deps.py"]),
        (
            "`tests/<group>/` and `mobile_pwa/e2e/*.e2e.ts`",
            ["tests/<group>/", "mobile_pwa/e2e/*.e2e.ts"],
        ),
        ("`api/deps.py::ActorDep`", ["api/deps.py"]),
        ("`.ci/postgres.sh start`", [".ci/postgres.sh"]),
        ("`GET /api/v1/cases?open=true`, `http://127.0.0.1:8000/api/v1/docs`", []),
        ("`python -m api.demo --scale small`, `data/attachments/`, `mobile_pwa`", []),
        ("```\napi/not/read.py\n```\n", []),
        ("not in a code span: api/app.py", []),
    ],
)
def test_paths_are_read_from_code_spans(text: str, paths: list[str]) -> None:
    assert written_paths(text) == paths


@pytest.mark.parametrize(
    ("written", "there"),
    [
        ("api/app.py", True),
        ("api/routers/", True),
        ("api/app.py/", False),  # a file named as a folder
        ("api/services/cases/cases.py.transition", True),
        ("api/services/cases.py", False),  # not the folder of the same name
        ("api/services/cases.py.transition", False),
        ("tests/<group>/", True),
        ("api/routers/<name>.py", True),
        ("mobile_pwa/e2e/*.e2e.ts", True),
        ("mobile_pwa/e2e/*.spec.ts", False),
        ("mobile_pwa/dist", True),  # built, not committed
        ("mobile_pwa/distant.ts", False),
    ],
)
def test_a_written_path_is_checked_for_what_it_says(written: str, there: bool) -> None:
    assert exists(written) is there


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_path_a_document_names_exists(document: str) -> None:
    paths = written_paths((ROOT / document).read_text())
    assert paths, f"{document} names no repository path: is the pattern still right?"
    missing = sorted({path for path in paths if not exists(path)})
    assert not missing, f"{document} names paths the repository does not have: {missing}"


def test_the_architecture_page_names_every_service_group() -> None:
    page = (ROOT / "docs" / "architecture.md").read_text()
    missing = [group for group in LAYERS if f"`{group}`" not in page]
    assert not missing, f"docs/architecture.md does not name the service groups {missing}"
