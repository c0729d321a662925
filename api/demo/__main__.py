"""``python -m api.demo --scale small|county``: fill the database with the demo county."""

import argparse
import asyncio
import sys
import time
from datetime import date, datetime
from zoneinfo import ZoneInfo

from api.db import create_engine, create_sessionmaker
from api.demo import generator, loader
from api.settings import get_settings


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m api.demo", description=__doc__)
    parser.add_argument("--scale", choices=sorted(generator.SCALES), default="small")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--reference-date",
        type=date.fromisoformat,
        help="the day the demo is generated for (default: today in the configured time zone)",
    )
    parser.add_argument(
        "--if-empty", action="store_true", help="do nothing when the database already has data"
    )
    return parser.parse_args(argv)


async def main(argv: list[str]) -> int:
    args = parse_args(argv)
    settings = get_settings()
    engine = create_engine(settings)
    try:
        async with create_sessionmaker(engine, settings=settings)() as session:
            if not await loader.is_empty(session):
                if args.if_empty:
                    print("demo: the database already has data; nothing generated")
                    return 0
                print("demo: the database is not empty; use a new database", file=sys.stderr)
                return 1
            today = args.reference_date or datetime.now(ZoneInfo(settings.timezone)).date()
            started = time.perf_counter()
            data = generator.generate(
                scale=args.scale, seed=args.seed, reference_date=today, settings=settings
            )
            accounts = await loader.load(session=session, data=data, settings=settings)
    finally:
        await engine.dispose()
    counts = ", ".join(f"{table} {count}" for table, count in data.counts().items())
    print(f"demo: {args.scale} county for term {data.term} in {time.perf_counter() - started:.1f}s")
    print(f"demo: {counts}")
    print(f"demo: accounts (password {loader.DEMO_PASSWORD}):")
    for account in accounts:
        print(f"  {account.username:16} {account.role.value:18} {account.scope}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
