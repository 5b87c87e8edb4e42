"""`shoptalk setup | train | ingest | adapt-encoder | search | import-events | staff | export-corrections |
retrain | run | demo`."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from datetime import datetime
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


def cmd_test_dialogue(args: argparse.Namespace) -> None:
    """Rasa's own dialogue tests (bot/tests/test_stories.yml) on the trained model."""
    from shoptalk.train import test_dialogue

    settings = _settings()
    test_dialogue(settings.var_dir / "rasa-models", settings.var_dir / "rasa-test")


def cmd_ingest(args: argparse.Namespace) -> None:
    """Load a catalog into the product index."""
    from shoptalk.ingest_cmd import ingest

    ingest(_settings(), Path(args.catalog), Path(args.mapping) if args.mapping else None, if_needed=args.if_needed)


def cmd_adapt_encoder(args: argparse.Namespace) -> None:
    """Adapt MiniLM to a catalog (no queries, no labels) and export it for serving."""
    from shoptalk.ingest_cmd import adapt_encoder

    adapt_encoder(_settings(), Path(args.catalog), Path(args.mapping) if args.mapping else None, args)


def cmd_search(args: argparse.Namespace) -> None:
    """Search the product index from the terminal."""
    from shoptalk.ingest_cmd import search

    search(_settings(), args.query, args.filter, args.limit)


def cmd_import_events(args: argparse.Namespace) -> None:
    """Import historical behaviour logs into the database."""
    from api.behaviour.importer import import_events
    from shoptalk.db_cmd import cli_session

    with cli_session(_settings()) as session:
        report = import_events(session, Path(args.file), args.format)
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
            f"\nShopTalk is up.\n  chat page:  {config.api_url}/\n  demo shop:  {config.api_url}/shop"
            f"\n  staff:      {config.api_url}/console\n  API docs:   {config.api_url}/docs\n"
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
    from shoptalk.staff_cmd import ensure_demo_staff

    model = cmd_train(argparse.Namespace(force=False, bitext=None))
    cmd_ingest(argparse.Namespace(catalog=str(DEMO_CATALOG), mapping=None, if_needed=True))
    cmd_import_events(argparse.Namespace(file=str(DEMO_CATALOG.parent / "events.jsonl"), format="jsonl"))
    ensure_demo_staff(_settings())
    cmd_run(args, model=model)


def cmd_staff(args: argparse.Namespace) -> None:
    """Manage staff accounts of the console."""
    from shoptalk import staff_cmd

    if args.action == "add":
        staff_cmd.add(_settings(), args.username, args.role, args.name or args.username)
    else:
        staff_cmd.list_accounts(_settings())


def cmd_export_corrections(args: argparse.Namespace) -> None:
    """Write the staff's NLU corrections as Rasa NLU YAML."""
    from shoptalk.retrain import export_corrections

    if args.out is None:  # to stdout, so it pipes; the count goes to stderr
        count = export_corrections(_settings(), args.since, None)
        print(f"export-corrections: {count} corrections", file=sys.stderr)
        return
    count = export_corrections(_settings(), args.since, Path(args.out))
    print(f"export-corrections: wrote {count} corrections to {Path(args.out).resolve()}")


def cmd_retrain(args: argparse.Namespace) -> None:
    """Merge the corrections into bot/data and retrain, with before/after cross-validation."""
    from shoptalk.retrain import retrain

    retrain(_settings(), since=args.since, folds=args.folds, epochs=args.epochs, train_model=not args.no_train)


def cmd_i18n(args: argparse.Namespace) -> None:
    """extract: refresh the catalog template and each language's .po; check: fail on gaps."""
    from i18n.check import KEYWORDS, responses_without, untranslated

    if args.action == "extract":
        locales = ROOT / "i18n" / "locales"
        babel = [sys.executable, "-m", "babel.messages.frontend"]
        keywords = [a for name, args in KEYWORDS.items() for a in ("-k", name + (f":{args[0]}" if args else ""))]
        pot = locales / "shoptalk.pot"
        subprocess.run(
            [*babel, "extract", "-F", str(ROOT / "i18n" / "babel.cfg"), *keywords, "--no-location", "--sort-output",
             "--omit-header", "-o", str(pot), str(ROOT)],
            check=True,
        )  # fmt: skip
        subprocess.run([*babel, "update", "-i", str(pot), "-d", str(locales), "-D", "shoptalk"], check=True)
        return
    gaps = [f"untranslated: {m!r}" for m in untranslated("zh")] + [
        f"no zh variant: {r}" for r in responses_without("zh")
    ]
    for gap in gaps:
        print(gap)
    if gaps:
        raise SystemExit(f"i18n: {len(gaps)} texts lack zh-CN")
    print("i18n: every shopper-facing text has zh-CN")


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and run a command."""
    parser = argparse.ArgumentParser(prog="shoptalk", description="Run the ShopTalk stack.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("setup", help="create or update both environments (bin/shoptalk setup)")
    train = sub.add_parser("train", help="train the Rasa model if its inputs changed")
    train.add_argument("--force", action="store_true")
    train.add_argument("--bitext", type=Path, default=None, help="Bitext customer-support CSV")
    sub.add_parser("test-dialogue", help="rasa test core: bot/tests/test_stories.yml on the trained model")
    ingest = sub.add_parser("ingest", help="load a catalog (CSV, JSON Lines, Parquet) into the index")
    ingest.add_argument("catalog", nargs="?", default=str(DEMO_CATALOG))
    ingest.add_argument("--mapping", help="JSON/YAML file: product field -> source column")
    ingest.add_argument("--if-needed", action="store_true", help="skip when this catalog is already loaded")
    adapt = sub.add_parser("adapt-encoder", help="fine-tune MiniLM on a catalog's own titles (no labels needed)")
    adapt.add_argument("catalog", nargs="?", default=str(DEMO_CATALOG))
    adapt.add_argument("--mapping", help="JSON/YAML file: product field -> source column")
    adapt.add_argument("--epochs", type=int, default=1)
    adapt.add_argument("--max-products", type=int, default=30_000, help="train on a seeded sample of this many")
    adapt.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    search = sub.add_parser("search", help="search the product index")
    search.add_argument("query")
    search.add_argument("--filter", action="append", default=[], help="key=value, e.g. color=black, price_max=500")
    search.add_argument("--limit", type=int, default=10)
    events = sub.add_parser("import-events", help="load historical behaviour logs from CSV")
    events.add_argument("file")
    events.add_argument("--format", choices=("shoptalk", "jsonl", "diginetica", "taobao"), default="shoptalk")
    staff = sub.add_parser("staff", help="staff console accounts: add (password prompted or piped), list")
    staff.add_argument("action", choices=("add", "list"))
    staff.add_argument("username", nargs="?")
    staff.add_argument("--role", choices=("agent", "admin"), default="agent")
    staff.add_argument("--name", default="")
    export = sub.add_parser("export-corrections", help="the staff's NLU corrections as Rasa NLU YAML")
    export.add_argument("--since", type=datetime.fromisoformat, default=None, help="ISO date or time")
    export.add_argument("--out", default=None, help="file to write (default: standard output)")
    retrain = sub.add_parser("retrain", help="merge corrections into bot/data, retrain, before/after crossval")
    retrain.add_argument("--since", type=datetime.fromisoformat, default=None, help="only corrections since")
    retrain.add_argument("--folds", type=int, default=5)
    retrain.add_argument("--epochs", type=int, default=None, help="training epochs per fold (default: config)")
    retrain.add_argument("--no-train", action="store_true", help="cross-validate and merge, do not train")
    i18n = sub.add_parser("i18n", help="message catalogs: extract texts to translate, check every one has zh-CN")
    i18n.add_argument("action", choices=("extract", "check"))
    for name in ("run", "demo"):
        p = sub.add_parser(name, help="start the stack" if name == "run" else "train, ingest and start the stack")
        p.add_argument("--api-port", type=int, default=int(os.environ.get("API_PORT", 8000)))
        p.add_argument("--rasa-port", type=int, default=int(os.environ.get("RASA_PORT", 5005)))
        p.add_argument("--actions-port", type=int, default=int(os.environ.get("ACTIONS_PORT", 5055)))
    args = parser.parse_args(argv)
    if args.command == "staff" and args.action == "add" and not args.username:
        parser.error("staff add needs a username")
    if args.command == "setup":
        subprocess.run(["bash", str(ROOT / "shoptalk" / "setup_envs.sh")], check=True)
        return
    commands = {
        "train": cmd_train,
        "test-dialogue": cmd_test_dialogue,
        "ingest": cmd_ingest,
        "adapt-encoder": cmd_adapt_encoder,
        "search": cmd_search,
        "import-events": cmd_import_events,
        "run": cmd_run,
        "demo": cmd_demo,
        "staff": cmd_staff,
        "export-corrections": cmd_export_corrections,
        "retrain": cmd_retrain,
        "i18n": cmd_i18n,
    }
    commands[args.command](args)
