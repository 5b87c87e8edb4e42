"""Importing historical behaviour logs: known formats, bad rows reported by line, idempotent."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from api.behaviour.importer import import_events
from api.behaviour.models import BehaviourEvent
from api.db import make_engine, session_factory
from api.migrate import upgrade


def _session(tmp_path: Path):  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'events.db'}"
    upgrade(url)
    return session_factory(make_engine(url))()


def test_diginetica_rows_import_once_and_bad_lines_are_named(tmp_path: Path) -> None:
    csv_file = tmp_path / "views.csv"
    csv_file.write_text(
        "session_id;user_id;item_id;timeframe;eventdate\n"
        "1;NA;81766;526309;2016-05-09\n"
        "1;NA;31331;1031018;2016-05-09\n"
        "2;77;9;10;not-a-date\n"
    )
    with _session(tmp_path) as session:
        report = import_events(session, csv_file, "diginetica", progress=False)
        assert (report.rows, report.stored, len(report.rejected)) == (3, 2, 1)
        assert report.rejected[0][0] == 4
        again = import_events(session, csv_file, "diginetica", progress=False)
        assert (again.stored, again.duplicates) == (0, 2)
        assert session.scalar(select(func.count(BehaviourEvent.id))) == 2


def test_taobao_behaviours_map_to_event_types(tmp_path: Path) -> None:
    csv_file = tmp_path / "taobao.csv"
    csv_file.write_text("1,100,5,pv,1511544070\n1,100,5,cart,1511544080\n1,100,5,buy,1511544090\n1,100,5,zap,1\n")
    with _session(tmp_path) as session:
        report = import_events(session, csv_file, "taobao", progress=False)
        assert report.stored == 3 and report.rejected[0][0] == 4
        types = session.scalars(select(BehaviourEvent.type).order_by(BehaviourEvent.occurred_at)).all()
        assert types == ["view", "add_to_cart", "purchase"]
