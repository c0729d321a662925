"""The app served for real, by uvicorn on a port of 127.0.0.1, for the clients that talk to it
as a third party would: schemathesis, and the example scripts of the docs.

It gets a database of its own (fresh and migrated), not the session's, so that whatever it is
sent stays out of the other tests' way; the caller seeds it through ``settings``.
"""

import asyncio
import socket
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from api.app import create_app
from api.settings import Settings
from tests.databases import fresh_database, migrate


@dataclass(frozen=True)
class LiveServer:
    url: str  # http://127.0.0.1:PORT, no trailing slash
    settings: Settings


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def serving(data_dir: Path, **overrides: object) -> AsyncIterator[LiveServer]:
    async with fresh_database() as database_url:
        await migrate(database_url)
        settings = Settings(
            database_url=database_url,
            environment="test",
            log_format="console",
            log_level="WARNING",
            data_dir=data_dir,
            pwa_dist=Path("/nonexistent"),
            **overrides,  # type: ignore[arg-type]
        )
        port = _free_port()
        server = uvicorn.Server(
            uvicorn.Config(
                create_app(settings),
                host="127.0.0.1",
                port=port,
                log_level="warning",
                access_log=False,
                lifespan="on",
            )
        )
        # Its own thread and event loop, as in production: the test's loop stays free to
        # seed the database and to wait.
        thread = threading.Thread(target=server.run, name="live-server", daemon=True)
        thread.start()
        try:
            while not server.started:
                if not thread.is_alive():
                    raise RuntimeError("the live server did not start")
                await asyncio.sleep(0.05)
            yield LiveServer(url=f"http://127.0.0.1:{port}", settings=settings)
        finally:
            server.should_exit = True
            await asyncio.to_thread(thread.join, 10)
