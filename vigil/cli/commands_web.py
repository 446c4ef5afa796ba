"""``vigil serve``, ``vigil users ...`` and ``vigil review ...``: the analyst workspace from the terminal."""

from __future__ import annotations

import secrets
import sys
from pathlib import Path
from typing import Annotated

import typer

from vigil.cli.app import STATE, app, fail
from vigil.cli.output import console, print_json
from vigil.runtime import open_store
from vigil.search.review import ROLES, feedback_document, review_store_for

users_app = typer.Typer(help="Manage analyst accounts and API tokens.", no_args_is_help=True)
review_app = typer.Typer(help="Review decisions: precision report, tagging feedback.", no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(review_app, name="review")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    dev: Annotated[bool, typer.Option("--dev", help="Allow a missing VIGIL_SECRET_KEY (generates a "
                                      "throw-away one: sessions end when the server stops).")] = False,
) -> None:
    """Serve the web workspace: search, country pages, alerts, review queue, feeds, JSON API."""
    import uvicorn

    from vigil.web.app import create_app

    settings = STATE.settings()
    key = settings.secret_key.get_secret_value() if settings.secret_key else ""
    if not key:
        if not dev:
            raise fail("VIGIL_SECRET_KEY is not set; set it to a long random string (or use --dev to try it out)")
        key = secrets.token_urlsafe(32)
        typer.echo("vigil: --dev: using a throw-away secret key; sessions end when the server stops", err=True)
    store = open_store(settings)
    try:
        web = create_app(store, secret_key=key, session_hours=settings.session_hours,
                         public_search=settings.web_public_search)
        typer.echo(f"vigil: serving on http://{host}:{port}/ (Ctrl-C to stop)", err=True)
        uvicorn.run(web, host=host, port=port, log_level="warning", proxy_headers=False)
    finally:
        store.close()


@users_app.command("add")
def users_add(
    username: Annotated[str, typer.Argument(help="Login name (lower-case letters, digits, . _ -).")],
    role: Annotated[str, typer.Option(help="viewer, analyst or admin.")] = "analyst",
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin.")] = False,
) -> None:
    """Create an account (asks for the password twice unless --password-stdin)."""
    import re

    from vigil.web.security import MIN_PASSWORD_CHARS, hash_password

    if role not in ROLES:
        raise fail(f"--role must be one of {', '.join(ROLES)}, not {role!r}", 2)
    if not re.fullmatch(r"[a-z0-9_.\-]{2,40}", username):
        raise fail("a username has 2-40 lower-case letters, digits, '.', '_' or '-'", 2)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < MIN_PASSWORD_CHARS:
        raise fail(f"the password needs at least {MIN_PASSWORD_CHARS} characters", 2)
    store = open_store(STATE.settings())
    try:
        review_store_for(store).add_user(username, hash_password(password), role)  # type: ignore[arg-type,unused-ignore]
    finally:
        store.close()
    typer.echo(f"created {role} {username}")


@users_app.command("token")
def users_token(
    username: Annotated[str, typer.Argument(help="Existing account the token acts as.")],
    name: Annotated[str, typer.Option(help="What the token is for (shown in listings).")] = "script",
) -> None:
    """Create an API token (printed once) for scripts: 'Authorization: Bearer <token>'."""
    from vigil.web.security import new_token

    token, hashed = new_token()
    store = open_store(STATE.settings())
    try:
        review_store_for(store).add_token(username, name, hashed)
    finally:
        store.close()
    typer.echo(token)


@users_app.command("list")
def users_list() -> None:
    """List accounts and their roles."""
    store = open_store(STATE.settings())
    try:
        accounts = review_store_for(store).users()
    finally:
        store.close()
    for u in accounts:
        typer.echo(f"{u.username}\t{u.role}" + ("\tdisabled" if u.disabled else ""))


@review_app.command("report")
def review_report(
    by: Annotated[str, typer.Option(help="all, month (of publication) or lexicon (version).")] = "all",
    json_out: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Precision per category from analysts' decisions (latest verdict per event)."""
    from vigil.web.views import precision_view

    if by not in ("all", "month", "lexicon"):
        raise fail(f"--by must be all, month or lexicon, not {by!r}", 2)
    store = open_store(STATE.settings())
    try:
        view = precision_view(review_store_for(store), by)
    finally:
        store.close()
    if json_out:
        print_json([{**r.model_dump(), "precision": r.precision} for r in view.rows])
        return
    if not view.rows:
        console.print("no reviewed events yet")
        return
    console.print(f"feedback version {view.feedback_version}")
    console.print(f"{'category':<22} {'period':<12} {'confirmed':>9} {'corrected':>9} {'rejected':>8} {'precision':>9}")
    for r in view.rows:
        p = f"{r.precision:.0%}" if r.precision is not None else "-"
        console.print(f"{r.category:<22} {r.period:<12} {r.confirmed:>9} {r.corrected:>9} {r.rejected:>8} {p:>9}")


@review_app.command("feedback")
def review_feedback(
    out: Annotated[Path | None, typer.Option(help="Write here (e.g. config/indicators/feedback.yaml); "
                                             "default: print.")] = None,
) -> None:
    """Export the negative contexts added from review, for the tagger."""
    import yaml

    store = open_store(STATE.settings())
    try:
        reviews = review_store_for(store)
        doc = feedback_document(reviews.negative_contexts(), reviews.feedback_version())
    finally:
        store.close()
    text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
    if out is None:
        typer.echo(text, nl=False)
        return
    out.write_text(text, encoding="utf-8")
    typer.echo(f"wrote feedback version {doc['feedback_version']} to {out}", err=True)
