"""`shoptalk staff add|list|password`, and the demo's staff accounts."""

from __future__ import annotations

import getpass
import os
import secrets
import sys
from typing import TYPE_CHECKING

from shoptalk.db_cmd import cli_session

if TYPE_CHECKING:
    from api.config import Settings
    from api.staff.schemas import Role

DEMO_ACCOUNTS: tuple[tuple[str, Role], ...] = (("admin", "admin"), ("agent", "agent"))


def _password(prompt_for: str) -> str:
    """Read a password from SHOPTALK_STAFF_PASSWORD, a pipe, or an interactive prompt (never the command line)."""
    if os.environ.get("SHOPTALK_STAFF_PASSWORD"):
        return os.environ["SHOPTALK_STAFF_PASSWORD"]
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass(f"password for {prompt_for}: ")
    if first != getpass.getpass("again: "):
        sys.exit("staff: the passwords differ")
    return first


def add(settings: Settings, username: str, role: Role, display_name: str) -> None:
    """Create a staff account."""
    from pydantic import ValidationError

    from api.errors import DomainError
    from api.staff.schemas import StaffIn
    from api.staff.service import ADMIN_TOKEN_PRINCIPAL, audit, create_staff

    try:
        staff_in = StaffIn(username=username, role=role, display_name=display_name, password=_password(username))
    except ValidationError as exc:
        sys.exit(f"staff: {exc.errors()[0]['loc'][0]}: {exc.errors()[0]['msg']}")
    with cli_session(settings) as session:
        try:
            user = create_staff(session=session, staff_in=staff_in)
        except DomainError as exc:
            sys.exit(f"staff: {exc.message}")
        audit(session, ADMIN_TOKEN_PRINCIPAL, "staff.create", "staff", user.id, {"via": "cli", "role": role})
        session.commit()
    print(f"staff: created {role} {username}")


def list_accounts(settings: Settings) -> None:
    """Print every staff account."""
    from api.staff.service import list_staff

    with cli_session(settings) as session:
        for u in list_staff(session=session):
            state = "active" if u.active else "disabled"
            print(f"{u.username:24} {u.role:6} {state:9} last login {u.last_login_at or 'never'}")


def ensure_demo_staff(settings: Settings) -> None:
    """On a fresh development database, create an admin and an agent with random passwords and say them once."""
    from api.staff.schemas import StaffIn
    from api.staff.service import create_staff, list_staff

    if settings.shoptalk_env == "production":
        return
    note = settings.var_dir / "demo-staff.txt"
    with cli_session(settings) as session:
        if list_staff(session=session):
            if note.exists():
                print(f"demo: staff console logins are in {note}")
            return
        lines = []
        for username, role in DEMO_ACCOUNTS:
            password = secrets.token_urlsafe(12)
            create_staff(session=session, staff_in=StaffIn(username=username, password=password, role=role))
            lines.append(f"{role:6} {username} / {password}")
        session.commit()
    note.parent.mkdir(parents=True, exist_ok=True)
    note.write_text("ShopTalk demo staff accounts (development only)\n" + "\n".join(lines) + "\n")
    note.chmod(0o600)
    print("demo: staff console accounts created (also in " + str(note) + "):\n  " + "\n  ".join(lines))
