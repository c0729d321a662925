"""Upload a school's roster (学籍名单) to 保学通, reconcile it, and print what was found.

An integration client's whole round trip through the public API (v1):

1. a token by the OAuth2 client-credentials grant (POST /api/v1/auth/token);
2. the roster workbook, as the student-status system exports it
   (POST /api/v1/schools/{school_id}/roster);
3. a reconciliation of that school (POST /api/v1/reconciliations), which runs in the
   background: polled (GET /api/v1/reconciliations/{id}) until it is done;
4. its discrepancies, a page at a time (GET /api/v1/reconciliations/{id}/discrepancies).

The client needs the scopes roster:write and reconciliations:write and to be bound to the
school. Settings come from the command line or the environment:

    BAOXUE_URL=https://baoxue.example.cn BAOXUE_CLIENT_ID=xueji.sync \\
    BAOXUE_CLIENT_SECRET=... BAOXUE_SCHOOL_ID=... python reconcile_roster.py 学生名册.xlsx

Exit status: 0 done; 1 the API answered with a problem (its title, detail and fields are
printed); 2 bad usage; 3 the run failed or did not finish in time; 4 the server could not be
reached. Needs httpx (pip install httpx).
"""

import argparse
import os
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SCOPES = "roster:write reconciliations:write"
PAGE = 100


class ApiProblem(Exception):
    """An error answer of the API: RFC 9457 problem details."""

    def __init__(self, response: httpx.Response) -> None:
        try:
            body = response.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        self.status = response.status_code
        self.title = str(body.get("title") or response.reason_phrase)
        self.detail = str(body.get("detail") or response.text[:200])
        self.type = str(body.get("type", "about:blank"))
        # Validation problems name each bad field by its location, e.g. ["body", "area_code"].
        self.fields = [
            (".".join(str(part) for part in error.get("loc", [])), str(error.get("msg", "")))
            for error in body.get("errors") or []
            if isinstance(error, dict)
        ]
        super().__init__(f"{self.status} {self.title}: {self.detail}")


class RunFailed(Exception):
    """The reconciliation failed, or did not finish within the time allowed."""


def checked(response: httpx.Response) -> Any:
    """The JSON of a successful answer; an ApiProblem for any error answer."""
    if response.is_error:
        raise ApiProblem(response)
    return response.json()


def get_token(client: httpx.Client, client_id: str, client_secret: str) -> str:
    answer = checked(
        client.post(
            "/api/v1/auth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": client_id,
                "client_secret": client_secret,
                "scope": SCOPES,
            },
        )
    )
    return str(answer["access_token"])


def upload_roster(
    client: httpx.Client, school_id: str, path: Path, term: str | None
) -> dict[str, Any]:
    """The upload replaces the school's roster of the term; good rows are kept, bad ones
    reported by row and heading in `errors`."""
    params = {"term": term} if term else {}
    with path.open("rb") as workbook:
        roster: dict[str, Any] = checked(
            client.post(
                f"/api/v1/schools/{school_id}/roster",
                params=params,
                files={"file": (path.name, workbook, XLSX)},
                # The same key again (a retry after a dropped connection) stores it once.
                headers={"Idempotency-Key": str(uuid.uuid4())},
            )
        )
    return roster


def start_reconciliation(client: httpx.Client, school_id: str, term: str) -> dict[str, Any]:
    run: dict[str, Any] = checked(
        client.post(
            "/api/v1/reconciliations",
            json={"school_id": school_id, "term": term},
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
    )
    return run


def wait_for(client: httpx.Client, run_id: str, timeout: float) -> dict[str, Any]:
    """Poll the run until it is completed (or failed), waiting longer between polls."""
    deadline = time.monotonic() + timeout
    pause = 0.5
    while True:
        run: dict[str, Any] = checked(client.get(f"/api/v1/reconciliations/{run_id}"))
        if run["status"] == "completed":
            return run
        if run["status"] == "failed":
            raise RunFailed(f"the reconciliation failed: {run.get('error') or 'no reason given'}")
        if time.monotonic() + pause > deadline:
            raise RunFailed(f"the reconciliation did not finish within {timeout:g} s")
        time.sleep(pause)
        pause = min(pause * 2, 10.0)


def discrepancies(client: httpx.Client, run_id: str) -> Iterator[dict[str, Any]]:
    """Every discrepancy of the run the client may see, page by page."""
    offset = 0
    while True:
        page = checked(
            client.get(
                f"/api/v1/reconciliations/{run_id}/discrepancies",
                params={"limit": PAGE, "offset": offset},
            )
        )
        yield from page["items"]
        offset += len(page["items"])
        if not page["items"] or offset >= page["total"]:
            return


def report(run: dict[str, Any], found: list[dict[str, Any]]) -> None:
    print(f"reconciliation {run['id']} ({run['term']}): {len(found)} discrepancies")
    for item in found:
        # ID numbers come masked in lists; the student number identifies the pupil.
        columns = (item["kind"], item["name"], item["student_number"] or "-", item["area_code"])
        print("\t".join(columns))


def arguments(argv: list[str] | None) -> argparse.Namespace:
    env = os.environ.get
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("roster", type=Path, help="the roster workbook (.xlsx)")
    parser.add_argument("--base-url", default=env("BAOXUE_URL"), help="or BAOXUE_URL")
    parser.add_argument("--client-id", default=env("BAOXUE_CLIENT_ID"), help="or BAOXUE_CLIENT_ID")
    parser.add_argument(
        "--client-secret", default=env("BAOXUE_CLIENT_SECRET"), help="or BAOXUE_CLIENT_SECRET"
    )
    parser.add_argument("--school", default=env("BAOXUE_SCHOOL_ID"), help="or BAOXUE_SCHOOL_ID")
    parser.add_argument("--term", help="e.g. 2026-2027-1; default: the current term")
    parser.add_argument("--timeout", type=float, default=300, help="seconds to wait for the run")
    args = parser.parse_args(argv)
    missing = [
        name
        for name in ("base_url", "client_id", "client_secret", "school")
        if not getattr(args, name)
    ]
    if missing:
        parser.error("missing: " + ", ".join("--" + name.replace("_", "-") for name in missing))
    if not args.roster.is_file():
        parser.error(f"no such file: {args.roster}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    try:
        with httpx.Client(base_url=args.base_url, timeout=60) as client:
            token = get_token(client, args.client_id, args.client_secret)
            client.headers["Authorization"] = f"Bearer {token}"
            roster = upload_roster(client, args.school, args.roster, args.term)
            print(
                f"roster {roster['id']}: {roster['entries']} rows kept,"
                f" {roster['rejected']} refused, {roster['matched']} matched to children"
            )
            for error in roster["errors"]["items"]:
                print(f"  row {error['row']} {error['field']}: {error['message']}")
            run = start_reconciliation(client, args.school, roster["term"])
            done = wait_for(client, run["id"], args.timeout)
            report(done, list(discrepancies(client, done["id"])))
    except ApiProblem as problem:
        print(f"error: {problem.title} ({problem.status}): {problem.detail}", file=sys.stderr)
        for field, message in problem.fields:
            print(f"  field {field}: {message}", file=sys.stderr)
        return 1
    except RunFailed as failed:
        print(f"error: {failed}", file=sys.stderr)
        return 3
    except httpx.TransportError as exc:
        print(f"error: cannot reach {args.base_url}: {exc}", file=sys.stderr)
        return 4
    return 0


if __name__ == "__main__":
    sys.exit(main())
