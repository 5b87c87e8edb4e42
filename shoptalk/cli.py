"""`shoptalk setup | train | ingest | search | run | demo`."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from shoptalk.paths import DEMO_CATALOG, ROOT

if TYPE_CHECKING:
    from api.config import Settings


def _settings() -> Settings:
    from api.config import Settings

    return Settings()


def cmd_train(args: argparse.Namespace) -> Path:
    """Train the Rasa model if its inputs changed."""
    from shoptalk.train import train

    settings = _settings()
    return train(settings.var_dir / "rasa-models", force=args.force, bitext=args.bitext)


def cmd_ingest(args: argparse.Namespace) -> None:
    """Load a catalog into the product index."""
    from shoptalk.ingest_cmd import ingest

    ingest(_settings(), Path(args.catalog), Path(args.mapping) if args.mapping else None, if_needed=args.if_needed)


def cmd_search(args: argparse.Namespace) -> None:
    """Search the product index from the terminal."""
    from shoptalk.ingest_cmd import search

    search(_settings(), args.query, args.filter, args.limit)


def cmd_import_events(args: argparse.Namespace) -> None:
    """Import historical behaviour logs into the database."""
    from api.behaviour.importer import import_events
    from api.db import make_engine, session_factory
    from api.migrate import upgrade

    settings = _settings()
    upgrade(settings.sqlalchemy_url)
    engine = make_engine(settings.sqlalchemy_url)
    try:
        with session_factory(engine)() as session:
            report = import_events(session, Path(args.file), args.format)
    finally:
        engine.dispose()
    print(report.summary())


def _interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def cmd_run(args: argparse.Namespace, model: Path | None = None) -> None:
    """Start the stack and keep it running until Ctrl-C."""
    from shoptalk.stack import Stack, StackConfig, StackError
    from shoptalk.train import model_path

    settings = _settings()
    model = model or model_path(settings.var_dir / "rasa-models")
    if not model.exists():
        sys.exit(f"run: no trained model at {model}; run `shoptalk train` first")
    config = StackConfig(
        var_dir=settings.var_dir,
        model=model,
        rasa_token=settings.rasa_token,
        database_url=settings.database_url,
        api_port=args.api_port,
        rasa_port=args.rasa_port,
        actions_port=args.actions_port,
    )
    stack = Stack(config)
    # Explicit handlers: a parent may have left SIGINT ignored (background jobs, nohup).
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        stack.start()
        print(
            f"\nShopTalk is up.\n  chat page:  {config.api_url}/\n  API docs:   {config.api_url}/docs\n"
            f"  try:        curl -s -X POST {config.api_url}/v1/chat -H 'content-type: application/json' "
            '-d \'{"sender":"s1","message":"I am looking for running shoes"}\'\n'
            f"  logs:       {stack.logs}/\nPress Ctrl-C to stop.",
            flush=True,
        )
        died = stack.wait()
        print(f"run: {died} exited; stopping the stack (see {stack.logs}/{died}.log)")
    except StackError as exc:
        sys.exit(f"run: {exc}")
    except KeyboardInterrupt:
        print("\nrun: stopping...")
    finally:
        stack.stop()


def cmd_demo(args: argparse.Namespace) -> None:
    """Train if needed, load the demo catalog if needed, and run the stack."""
    model = cmd_train(argparse.Namespace(force=False, bitext=None))
    cmd_ingest(argparse.Namespace(catalog=str(DEMO_CATALOG), mapping=None, if_needed=True))
    cmd_import_events(argparse.Namespace(file=str(DEMO_CATALOG.parent / "events.jsonl"), format="jsonl"))
    cmd_run(args, model=model)


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and run a command."""
    parser = argparse.ArgumentParser(prog="shoptalk", description="Run the ShopTalk stack.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("setup", help="create or update both environments (bin/shoptalk setup)")
    train = sub.add_parser("train", help="train the Rasa model if its inputs changed")
    train.add_argument("--force", action="store_true")
    train.add_argument("--bitext", type=Path, default=None, help="Bitext customer-support CSV")
    ingest = sub.add_parser("ingest", help="load a catalog (CSV, JSON Lines, Parquet) into the index")
    ingest.add_argument("catalog", nargs="?", default=str(DEMO_CATALOG))
    ingest.add_argument("--mapping", help="JSON/YAML file: product field -> source column")
    ingest.add_argument("--if-needed", action="store_true", help="skip when this catalog is already loaded")
    search = sub.add_parser("search", help="search the product index")
    search.add_argument("query")
    search.add_argument("--filter", action="append", default=[], help="key=value, e.g. color=black, price_max=500")
    search.add_argument("--limit", type=int, default=10)
    events = sub.add_parser("import-events", help="load historical behaviour logs from CSV")
    events.add_argument("file")
    events.add_argument("--format", choices=("shoptalk", "jsonl", "diginetica", "taobao"), default="shoptalk")
    for name in ("run", "demo"):
        p = sub.add_parser(name, help="start the stack" if name == "run" else "train, ingest and start the stack")
        p.add_argument("--api-port", type=int, default=int(os.environ.get("API_PORT", 8000)))
        p.add_argument("--rasa-port", type=int, default=int(os.environ.get("RASA_PORT", 5005)))
        p.add_argument("--actions-port", type=int, default=int(os.environ.get("ACTIONS_PORT", 5055)))
    args = parser.parse_args(argv)
    if args.command == "setup":
        subprocess.run(["bash", str(ROOT / "shoptalk" / "setup_envs.sh")], check=True)
        return
    commands = {
        "train": cmd_train,
        "ingest": cmd_ingest,
        "search": cmd_search,
        "import-events": cmd_import_events,
        "run": cmd_run,
        "demo": cmd_demo,
    }
    commands[args.command](args)
