"""The administrators' commands: `sotehaku users ...` for staff accounts and `sotehaku report` for the query log.

They are added to the `sotehaku` group, which passes the data directory as the click object and turns
the application's errors (AccountError, QueryLogError) into one-line messages.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from app.accounts import open_accounts
from app.querylog import QUERYLOG_FILENAME, Report, open_query_log


@click.group()
def users() -> None:
    """Manage the staff accounts that may sign in and use the API (tokens and passwords)."""


@users.command("add")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read a password for the web login (12+ characters) from the first line of stdin.")
@click.option("--expires-days", type=click.IntRange(min=1), help="The API token expires after this many days (default: never).")
@click.option("--group", "groups", multiple=True, metavar="GROUP", help="A group the account belongs to (repeat for several).")
@click.pass_obj
def users_add(data_dir: Path, name: str, password_stdin: bool, expires_days: int | None, groups: tuple[str, ...]) -> None:
    """Create a staff account and print its API token as the last line.

    The token is shown only once; only a hash of it is stored.
    """
    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise click.ClickException(f"No password on stdin for {name!r}. Pipe one in, or leave out --password-stdin.")
    with open_accounts(data_dir) as accounts:
        token = accounts.add_user(name, password, expires_days=expires_days)
        if groups:
            groups = accounts.set_groups(name, groups)
    click.echo(f"Created the account {name}{' with a password' if password else ''}"
               + (f" in the groups {', '.join(groups)}." if groups else "."))
    _echo_token(expires_days)
    click.echo(token)


@users.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Output format.")
@click.pass_obj
def users_list(data_dir: Path, fmt: str) -> None:
    """List the staff accounts: created, password set, valid tokens, last use. Never secrets."""
    with open_accounts(data_dir) as accounts:
        infos = accounts.list_users()
    if fmt == "json":
        click.echo(json.dumps(
            [{"name": u.name, "created": u.created, "password": u.has_password, "tokens": u.tokens,
              "last_used": u.last_used, "groups": list(u.groups)} for u in infos],
            ensure_ascii=False, indent=2,
        ))
        return
    if not infos:
        click.echo(f"No accounts in {data_dir}. Create one with 'sotehaku users add NAME'.")
        return
    rows = [("name", "created", "password", "tokens", "last used", "groups")] + [
        (u.name, u.created, "yes" if u.has_password else "no", str(u.tokens), u.last_used or "never", ", ".join(u.groups))
        for u in infos
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())


@users.command("remove")
@click.argument("name")
@click.pass_obj
def users_remove(data_dir: Path, name: str) -> None:
    """Delete a staff account with all its API tokens and login sessions."""
    with open_accounts(data_dir) as accounts:
        accounts.remove_user(name)
    click.echo(f"Removed the account {name}; its tokens and sessions no longer work.")


@users.command("groups")
@click.argument("name")
@click.argument("groups", nargs=-1)
@click.option("--add", "add", is_flag=True, help="Add these groups to the account's instead of replacing them.")
@click.option("--remove", "remove", is_flag=True, help="Remove these groups from the account's.")
@click.pass_obj
def users_groups(data_dir: Path, name: str, groups: tuple[str, ...], add: bool, remove: bool) -> None:
    """Set the groups of an account (no GROUPS: none), which decide the internal documents limited to
    groups it sees on the pages and through its API tokens."""
    if add and remove:
        raise click.ClickException("Give --add or --remove, not both.")
    with open_accounts(data_dir) as accounts:
        current = set(accounts.groups_of(name))
        wanted = current | set(groups) if add else current - set(groups) if remove else set(groups)
        stored = accounts.set_groups(name, sorted(wanted))
    click.echo(f"{name} is in the groups {', '.join(stored)}." if stored else f"{name} is in no group.")


@users.command("token")
@click.argument("name")
@click.option("--expires-days", type=click.IntRange(min=1), help="The token expires after this many days (default: never).")
@click.pass_obj
def users_token(data_dir: Path, name: str, expires_days: int | None) -> None:
    """Issue another API token for an account (the old ones keep working) and print it as the last line."""
    with open_accounts(data_dir) as accounts:
        token = accounts.new_token(name, expires_days)
    click.echo(f"New API token for {name}.")
    _echo_token(expires_days)
    click.echo(token)


def _echo_token(expires_days: int | None) -> None:
    """The explanation printed above a new token."""
    lifetime = f"It expires in {expires_days} days." if expires_days else "It does not expire."
    click.echo(f"{lifetime} It is shown only this once (only a hash is stored): copy it now.")


@click.command()
@click.option("--days", type=click.IntRange(min=1), default=30, show_default=True, help="Report on this many past days.")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True, help="Queries per list.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Output format.")
@click.pass_obj
def report(data_dir: Path, days: int, limit: int, fmt: str) -> None:
    """Report the most frequent queries and the queries that found nothing.

    The query log keeps no personal data: identity codes, e-mail addresses and phone and other long
    numbers are replaced by placeholders before a query is stored.
    """
    if (Path(data_dir) / QUERYLOG_FILENAME).exists():
        with open_query_log(data_dir) as log:
            result = log.report(days=days, limit=limit)
    else:  # no query logged yet: report that, without creating a log (or a data directory) as a side effect
        result = Report(days=days, total_queries=0)
    if fmt == "json":
        click.echo(json.dumps({
            "days": result.days,
            "total_queries": result.total_queries,
            "top": [{"query": q, "count": n} for q, n in result.top],
            "zero": [{"query": q, "count": n} for q, n in result.zero],
        }, ensure_ascii=False, indent=2))
        return
    if result.total_queries == 0:
        click.echo(f"No queries were logged in the last {days} days in {data_dir}.")
        return
    click.echo(f"{result.total_queries} queries in the last {days} days.")
    for title, rows in (("Most frequent queries", result.top), ("Queries that found nothing", result.zero)):
        click.echo(f"\n{title}")
        if not rows:
            click.echo("  (none)")
        width = max((len(str(n)) for _, n in rows), default=5)
        for query, count in rows:
            click.echo(f"  {count:>{width}}  {query}")
