"""Data-rights and retention endpoints (admins and the admin token; every use is audited)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from api.deps import CurrentAdmin, DialogueDep, SessionDep, SessionFactoryDep, SettingsDep
from api.dialogue.port import DialogueUnavailable
from api.errors import DomainError
from api.privacy.retention import purge_older_than
from api.privacy.rights import delete_shopper, export_shopper, pseudonym
from api.staff.service import audit

router = APIRouter(prefix="/v1/admin", tags=["admin: data rights"])


@router.get("/shoppers/{key}/export")
def export(key: str, session: SessionDep, who: CurrentAdmin) -> dict[str, Any]:
    """Everything stored about a shopper (a session id or customer id; linked sessions included)."""
    data = export_shopper(session, key)
    audit(session, who, "shopper.export", "shopper", pseudonym(key))
    session.commit()
    return data


@router.delete("/shoppers/{key}")
async def erase(key: str, sessions: SessionFactoryDep, dialogue: DialogueDep, who: CurrentAdmin) -> dict[str, Any]:
    """Delete everything about a shopper, including the Rasa trackers of their conversations."""

    def _delete() -> dict[str, Any]:
        with sessions() as session:
            audit(session, who, "shopper.delete", "shopper", pseudonym(key))  # committed with the deletion
            return delete_shopper(session, key)

    report = await run_in_threadpool(_delete)
    forgotten, failed = 0, []
    for conversation_id in report["conversation_ids"]:
        try:
            forgotten += bool(await run_in_threadpool(dialogue.forget, conversation_id))
        except DialogueUnavailable:
            failed.append(conversation_id)
    report["deleted"]["rasa_trackers"] = forgotten
    report["rasa_trackers_not_reached"] = failed
    return report


@router.post("/retention/run")
def run_retention(
    session: SessionDep,
    settings: SettingsDep,
    who: CurrentAdmin,
    days: Annotated[int | None, Query(ge=1, le=36500)] = None,
) -> dict[str, int]:
    """Delete data older than `days` (default: RETENTION_DAYS)."""
    days = days or settings.retention_days
    if not days:
        raise DomainError("give days, or set RETENTION_DAYS")
    audit(session, who, "retention.run", "", "", {"days": days})
    session.commit()
    return purge_older_than(session, days)
