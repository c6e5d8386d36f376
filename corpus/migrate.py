"""Schema upgrades of sotehaku's SQLite files: numbered steps, and PRAGMA user_version says which have run.

Every store (corpus, accounts, query log) lists its steps in order and calls `migrate` on open, so a
file written by an older release is brought up to date and one from a newer release is refused with a
message, never misread. A step is SQL (one or more statements) or a function of the connection; it runs
in one transaction with the version bump, so a failed or killed upgrade leaves the file as it was.

>>> import sqlite3
>>> db = sqlite3.connect(":memory:", isolation_level=None)
>>> steps = ["CREATE TABLE t (a TEXT)", "ALTER TABLE t ADD COLUMN b TEXT NOT NULL DEFAULT ''"]
>>> migrate(db, steps), migrate(db, steps), schema_version(db)
(2, 0, 2)
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence

Step = str | Callable[[sqlite3.Connection], None]


def schema_version(db: sqlite3.Connection) -> int:
    """The number of steps a database has been through (0 for a new file or one older than versioning)."""
    return db.execute("PRAGMA user_version").fetchone()[0]


def migrate(db: sqlite3.Connection, steps: Sequence[Step]) -> int:
    """Run the steps a database has not had yet, each in its own transaction; return how many ran.

    The connection must be in autocommit mode (isolation_level=None). Two processes opening one old
    file at once are safe: the version is read again under the write lock. A file of a newer schema
    raises sqlite3.DatabaseError, which each store turns into its own "cannot open" message.
    """
    ran = 0
    while True:
        db.execute("BEGIN IMMEDIATE")
        try:
            version = schema_version(db)
            if version > len(steps):
                raise sqlite3.DatabaseError(
                    f"its schema version {version} is newer than this sotehaku knows ({len(steps)}); "
                    "upgrade sotehaku to open it"
                )
            if version == len(steps):
                db.execute("COMMIT")
                return ran
            step = steps[version]
            if callable(step):
                step(db)
            else:
                for statement in statements(step):
                    db.execute(statement)
            db.execute(f"PRAGMA user_version = {version + 1}")
            db.execute("COMMIT")
            ran += 1
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise


def statements(script: str) -> list[str]:
    r"""The SQL statements of a script, each ending a line (executescript would commit the migration's transaction).

    >>> statements("CREATE TABLE a (x);  -- a; comment\nCREATE INDEX i\n  ON a(x);\n")
    ['CREATE TABLE a (x);  -- a; comment', 'CREATE INDEX i\n  ON a(x);']
    """
    found, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            found.append(current.strip())
            current = ""
    if current.strip() and sqlite3.complete_statement(current + ";"):
        found.append(current.strip())  # the last statement may leave out its semicolon
    elif current.strip():
        raise ValueError(f"SQL script ends in an incomplete statement: {current.strip()[:60]!r}")
    return found
