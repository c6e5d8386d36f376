"""The administrators' commands: `sotehaku users ...` for staff accounts, `sotehaku report` for the query
log, `sotehaku remove` and `unblock` for takedowns, `sotehaku backup` and `restore`.

They are added to the `sotehaku` group, which passes the data directory as the click object and turns
the application's errors (AccountError, QueryLogError) into one-line messages.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from corpus.store import open_data_store

from app.accounts import TOKEN_PREFIX_LENGTH, open_accounts
from app.backup import backup_data_dir, restore_data_dir
from app.querylog import QUERYLOG_FILENAME, Report, open_query_log
from app.takedown import remove_document, unblock_document


def require_data_dir(data_dir: Path) -> None:
    """Refuse a data directory that does not exist, for commands that read one (a mistyped --data-dir
    must be named as missing, not created empty or reported as a missing index)."""
    if not data_dir.is_dir():
        raise click.ClickException(
            f"The data directory {data_dir} does not exist. Check --data-dir (or SOTEHAKU_DATA_DIR), or crawl or import into it first."
        )


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


@users.command("tokens")
@click.argument("name")
@click.pass_obj
def users_tokens(data_dir: Path, name: str) -> None:
    """List an account's API tokens by id (the token's first characters), with when each was made and used."""
    require_data_dir(data_dir)
    with open_accounts(data_dir) as accounts:
        tokens = accounts.list_tokens(name)
    if not tokens:
        click.echo(f"{name} has no API token. 'sotehaku users token {name}' issues one.")
    for token in tokens:
        expires = ("expired " if token["expired"] else "expires ") + token["expires"] if token["expires"] else "never expires"
        click.echo(f"{token['id']}  created {token['created']}  {expires}  last used {token['last_used'] or 'never'}")


@users.command("revoke")
@click.argument("name")
@click.option("--token-id", help="Revoke only this token (its id: its first characters, as 'sotehaku users tokens NAME' lists).")
@click.pass_obj
def users_revoke(data_dir: Path, name: str, token_id: str | None) -> None:
    """Revoke an account's API tokens (all of them, or one with --token-id); the account and its password stay."""
    require_data_dir(data_dir)
    with open_accounts(data_dir) as accounts:
        if token_id:
            accounts.revoke_token(name, token_id)
            click.echo(f"Revoked the token {token_id} of {name}; it no longer works.")
            return
        count = accounts.revoke_tokens(name)
    click.echo(f"Revoked {count} token(s) of {name}; 'sotehaku users token {name}' issues a new one.")


@users.command("password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the new password from the first line of stdin instead of asking.")
@click.pass_obj
def users_password(data_dir: Path, name: str, password_stdin: bool) -> None:
    """Set or reset an account's web login password (12+ characters); its signed-in sessions end."""
    require_data_dir(data_dir)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt(f"New password for {name}", hide_input=True, confirmation_prompt=True, default="", show_default=False)
    if not password:
        raise click.ClickException(f"No password given for {name!r}; nothing changed.")
    with open_accounts(data_dir) as accounts:
        accounts.set_password(name, password)
    click.echo(f"Set the password of {name}; its web sessions are signed out.")


def _echo_token(expires_days: int | None) -> None:
    """The explanation printed above a new token."""
    lifetime = f"It expires in {expires_days} days." if expires_days else "It does not expire."
    click.echo(f"{lifetime} It is shown only this once (only a hash is stored): copy it now. "
               f"Its id, for 'sotehaku users revoke --token-id', is its first {TOKEN_PREFIX_LENGTH} characters.")


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


@click.command("remove")
@click.argument("key", metavar="URL|ID", required=False)
@click.option("--block", "block", flag_value=True, default=None, help="Keep it from being crawled or imported again until unblocked.")
@click.option("--unblock", "block", flag_value=False, help="Lift a block instead (as 'sotehaku unblock URL|ID').")
@click.pass_obj
def remove(data_dir: Path, key: str | None, block: bool | None) -> None:
    """Take a document down: remove it from the corpus and from the live index at once.

    Use it for a page published by mistake (personal data) that cannot wait for the next crawl. The
    search page stops showing it as soon as this command returns. With --block, later crawls and
    imports skip it (reason "blocked") until 'sotehaku unblock URL|ID'.
    """
    if key is None:
        raise click.UsageError("Give the address (as in the search results) or the id of the document to remove.")
    require_data_dir(data_dir)
    if block is False:
        _unblock(data_dir, key)
        return
    with open_data_store(data_dir) as store:
        removal = remove_document(store, data_dir, key, block=bool(block))
    where = [part for part, done in (("the corpus", removal.in_corpus), ("the index", removal.from_index)) if done]
    click.echo(f"Removed {removal.ids[0]} from {' and '.join(where)}." if where else f"{key} is in neither the corpus nor the index.")
    if removal.blocked:
        click.echo("It is blocked: crawls and imports skip it until 'sotehaku unblock' lifts the block.")
    elif removal.in_corpus:
        click.echo("It is not blocked: the next crawl or import may bring it back. Use --block to keep it out.")


@click.command("unblock")
@click.argument("key", metavar="URL|ID", required=False)
@click.option("--list", "list_", is_flag=True, help="List the blocked documents instead.")
@click.pass_obj
def unblock(data_dir: Path, key: str | None, list_: bool) -> None:
    """Let a document blocked by 'sotehaku remove --block' be crawled and imported again."""
    require_data_dir(data_dir)
    if list_:
        with open_data_store(data_dir) as store:
            for entry in store.blocked():
                click.echo(f"{entry['blocked_at']}  {entry['id']}" + (f"  {entry['url']}" if entry["url"] not in ("", entry["id"]) else ""))
        return
    if key is None:
        raise click.UsageError("Give the address or id of the blocked document, or --list.")
    _unblock(data_dir, key)


def _unblock(data_dir: Path, key: str) -> None:
    with open_data_store(data_dir) as store:
        unblock_document(store, key)
    click.echo(f"Unblocked {key}: the next crawl or import may add it again.")


@click.command("backup")
@click.argument("target", metavar="DIR", type=click.Path(file_okay=False, path_type=Path))
@click.pass_obj
def backup(data_dir: Path, target: Path) -> None:
    """Back up the data directory into DIR (a new or empty folder), safely while 'serve' and crawls run.

    Copies consistent snapshots of the corpus store, the staff accounts and the query log, the data
    directory's lexicon, and the published index version (of the embedded index; a SolrCloud index is
    rebuilt from the corpus, see the README). 'sotehaku restore DIR' puts it back.
    """
    require_data_dir(data_dir)
    manifest = backup_data_dir(data_dir, target)
    index = f"index version {manifest.index_version}" if manifest.index_version else "no index"
    if manifest.backend == "solr":
        index = f"the SolrCloud index's version {manifest.index_version} recorded, not copied"
    click.echo(f"Backed up {', '.join(manifest.databases) or 'no store'} and {index} into {target}.")


@click.command("restore")
@click.argument("source", metavar="DIR", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace the stores and index the data directory already holds.")
@click.pass_obj
def restore(data_dir: Path, source: Path, force: bool) -> None:
    """Restore a backup written by 'sotehaku backup DIR' into the data directory.

    Refuses to replace existing stores or an index without --force. A running server answers from the
    restored index at once; a SolrCloud index is rebuilt with 'sotehaku index --full'.
    """
    manifest = restore_data_dir(source, data_dir, force=force)
    index = manifest.get("index") or {}
    click.echo(f"Restored {', '.join(manifest.get('databases', {})) or 'no store'} from {source} (taken {manifest.get('created')}) into {data_dir}.")
    if index.get("backend") == "whoosh" and index.get("version"):
        click.echo(f"The index version {index['version']} is published.")
    else:
        click.echo("Run 'sotehaku index --full' to rebuild the index from the restored corpus.")
