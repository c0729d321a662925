"""A receiver of 保学通 webhooks that checks each delivery is really from 保学通.

Every delivery is a POST of JSON `{id, type, version, occurred_at, data}` with the headers

    X-Baoxue-Event:     the event type (case.created, ping, ...)
    X-Baoxue-Delivery:  this delivery's id (a retry of it keeps the id)
    X-Baoxue-Timestamp: seconds since 1970-01-01 UTC when it was sent
    X-Baoxue-Signature: sha256=<hex HMAC-SHA256, keyed by the subscription's secret,
                        of "<timestamp>.<body>">

This receiver recomputes the signature over the exact bytes received, compares it in constant
time, and refuses a timestamp older (or newer) than --tolerance seconds, so a captured
delivery cannot be replayed later. A good delivery is answered 204 and printed on standard
output as one JSON line; a bad one is answered 401 (and retried by 保学通 with backoff, so
a misconfigured secret loses nothing once fixed). An event seen before (a retry whose first
answer was lost) is answered 204 again and not printed twice. Anything but a 2xx is retried,
so answer quickly and do slow work elsewhere.

    BAOXUE_WEBHOOK_SECRET=<the secret shown when subscribing> \\
        python webhook_receiver.py --port 8080

Standard library only. Put it behind HTTPS (a reverse proxy) in production.
"""

import argparse
import hashlib
import hmac
import json
import os
import sys
import time
from collections import OrderedDict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Lock
from typing import Any, TextIO

MAX_BODY = 1024 * 1024  # deliveries are small; refuse anything larger unread


def expected_signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def verify(
    secret: str, headers: Any, body: bytes, *, tolerance: float, now: float | None = None
) -> str | None:
    """None when the delivery is authentic and fresh, else why it is not."""
    timestamp = headers.get("X-Baoxue-Timestamp", "")
    signature = headers.get("X-Baoxue-Signature", "")
    if not timestamp.isdigit():
        return "no timestamp"
    if abs((now if now is not None else time.time()) - int(timestamp)) > tolerance:
        return "timestamp too old or in the future (a replay?)"
    # compare_digest takes as long whatever the first wrong character: no timing oracle.
    if not hmac.compare_digest(expected_signature(secret, timestamp, body), signature):
        return "bad signature"
    return None


class Seen:
    """The last event ids handled, to answer a retried delivery without handling it twice."""

    def __init__(self, size: int = 10_000) -> None:
        self.ids: OrderedDict[str, None] = OrderedDict()
        self.size = size
        self.lock = Lock()

    def first_time(self, event_id: str) -> bool:
        with self.lock:
            if event_id in self.ids:
                return False
            self.ids[event_id] = None
            if len(self.ids) > self.size:
                self.ids.popitem(last=False)
            return True


def handler(secret: str, tolerance: float) -> type[BaseHTTPRequestHandler]:
    seen = Seen()

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # http.server's name for it
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self.answer(413)
                return
            body = self.rfile.read(length)
            why = verify(secret, self.headers, body, tolerance=tolerance)
            if why is not None:
                delivery = self.headers.get("X-Baoxue-Delivery", "?")
                say(f"refused delivery {delivery}: {why}", sys.stderr)
                self.answer(401)
                return
            event = json.loads(body)
            if seen.first_time(str(event["id"])):
                handle(event, delivery=self.headers.get("X-Baoxue-Delivery"))
            self.answer(204)

        def answer(self, status: int) -> None:
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_args: Any) -> None:  # no access log on stderr
            pass

    return Receiver


def handle(event: dict[str, Any], *, delivery: str | None) -> None:
    """Your work goes here. Unknown event types and new fields may come within v1: ignore
    what you do not know rather than fail on it."""
    say(json.dumps({"delivery": delivery, **event}, ensure_ascii=False), sys.stdout)


_OUTPUT = Lock()  # deliveries arrive together, each on its own thread


def say(line: str, stream: TextIO) -> None:
    """One whole line at a time, never two interleaved."""
    with _OUTPUT:
        print(line, file=stream, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080, help="0: any free port")
    parser.add_argument("--tolerance", type=float, default=300, help="seconds of clock skew")
    parser.add_argument(
        "--secret",
        default=os.environ.get("BAOXUE_WEBHOOK_SECRET"),
        help="the subscription's secret; or BAOXUE_WEBHOOK_SECRET",
    )
    args = parser.parse_args(argv)
    if not args.secret:
        parser.error("the subscription's secret is needed: --secret or BAOXUE_WEBHOOK_SECRET")
    server = ThreadingHTTPServer((args.host, args.port), handler(args.secret, args.tolerance))
    host, port = server.server_address[:2]
    print(f"listening on http://{host!s}:{port}/", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
