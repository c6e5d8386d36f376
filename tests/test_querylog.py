"""The query log on a real SQLite file: redaction, counting from many threads, the report and its window."""

import logging
import sqlite3
import threading

import pytest

from app.querylog import QUERYLOG_FILENAME, QueryLogError, normalize_query, open_query_log, read_retention, redact

HOUR = 3600
DAY = 86400


@pytest.fixture()
def log(tmp_path, clock):
    with open_query_log(tmp_path / "data", clock=clock) as query_log:
        yield query_log


def stored_rows(tmp_path):
    db = sqlite3.connect(tmp_path / "data" / QUERYLOG_FILENAME)
    rows = db.execute("SELECT * FROM queries ORDER BY query").fetchall()
    db.close()
    return rows


@pytest.mark.parametrize(
    "query, expected",
    [
        ("hetu 131052-308T", "hetu [hetu]"),
        ("131052-308t", "[hetu]"),
        ("010594Y9032 päätös", "[hetu] päätös"),  # new century sign (2023)
        ("010594Y9021", "[hetu]"),
        ("120500A1234 ja 010181+123A", "[hetu] ja [hetu]"),
        ("vastaus matti.meikalainen@example.fi kiitos", "vastaus [email] kiitos"),
        ("anna.virtanen+sote@hyvinvointialue.fi", "[email]"),
        ("040 123 4567", "[phone]"),
        ("soita 0401234567", "soita [phone]"),
        ("+358 40 123 4567 ajanvaraus", "[phone] ajanvaraus"),
        ("+358401234567", "[phone]"),
        ("09-310 12345", "[phone]"),
        ("(09) 310 1234", "[phone]"),
        ("asiakasnumero 12345", "asiakasnumero [number]"),
        ("päätös 2023 dnro 123456789", "päätös 2023 dnro [number]"),
        ("tili FI21 1234 5600 0007 85", "tili [iban]"),
        # Ordinary queries are left alone, 4-digit years and short numbers especially.
        ("sote 2023", "sote 2023"),
        ("hyvinvointialue", "hyvinvointialue"),
        ("talousarvio 2023 2024", "talousarvio 2023 2024"),
        ("vuodet 2023-2025", "vuodet 2023-2025"),
        ("VN/1234/2023", "VN/1234/2023"),
        ("laki 612/2021 ja 1 000 000 euroa", "laki 612/2021 ja 1 000 000 euroa"),
        ("covid-19 rokote", "covid-19 rokote"),
    ],
)
def test_redact(query, expected):
    assert redact(query) == expected


def test_normalize_collapses_lowercases_and_cuts():
    assert normalize_query("  Sote\t UUDISTUS\n") == "sote uudistus"
    assert normalize_query("Ä" * 300) == "ä" * 200
    # Redacted before the cut, so the cut cannot leave a partial address behind; a cut placeholder is dropped.
    assert normalize_query("x" * 190 + " matti.meikalainen@example.fi") == "x" * 190 + " [email]"
    assert normalize_query("x" * 195 + " matti.meikalainen@example.fi") == "x" * 195
    assert normalize_query("x" * 192 + " 0401234567") == "x" * 192 + " [phone]"


def test_record_stores_only_redacted_counts(tmp_path, log):
    log.record("Toimeentulotuki 131052-308T", 0, lang="fi", channel="api")
    log.record("toimeentulotuki   131052-308T", 0, lang="FI", channel="api")
    log.record("sote 2023", 14)
    assert stored_rows(tmp_path) == [
        ("2023-11-14T22:00Z", "sote 2023", 14, "", "web", 1),
        ("2023-11-14T22:00Z", "toimeentulotuki [hetu]", 0, "fi", "api", 2),
    ]
    log.close()
    raw = b"".join(p.read_bytes() for p in (tmp_path / "data").glob(QUERYLOG_FILENAME + "*"))
    assert b"toimeentulotuki [hetu]" in raw and b"131052" not in raw


def test_the_table_keeps_no_order_of_arrival(tmp_path, log):
    log.record("sote", 1)
    db = sqlite3.connect(tmp_path / "data" / QUERYLOG_FILENAME)
    with pytest.raises(sqlite3.OperationalError, match="no such column: rowid"):
        db.execute("SELECT rowid FROM queries")
    db.close()


@pytest.mark.parametrize("lang", ["fi; matti@example.fi", "x" * 20, "f", "123"])
def test_a_language_that_is_not_a_code_is_dropped(tmp_path, log, lang):
    log.record("sote", 1, lang=lang)
    assert [row[3] for row in stored_rows(tmp_path)] == [""]


@pytest.mark.parametrize("query", ["", "   ", "\n\t"])
def test_empty_queries_are_not_logged(log, query):
    log.record(query, 0)
    assert log.report().total_queries == 0


def test_a_query_that_is_only_a_placeholder_is_counted(log):
    log.record("131052-308T", 0)
    log.record("040 123 4567", 3)
    assert log.report().top == [("[hetu]", 1), ("[phone]", 1)]


@pytest.mark.parametrize(
    "args, kwargs",
    [(("sote", -1), {}), (("sote", "7"), {}), ((None, 1), {}), (("sote", 1), {"channel": "email"})],
)
def test_bad_arguments_are_not_logged_and_do_not_raise(log, caplog, args, kwargs):
    with caplog.at_level(logging.WARNING, logger="app.querylog"):
        log.record(*args, **kwargs)
    assert log.report().total_queries == 0
    assert "not recorded" in caplog.text


def test_concurrent_records_are_all_counted(log):
    threads, per_thread = 8, 50

    def work(n):
        for i in range(per_thread):
            log.record(f"kysely {i % 5}", i % 3, channel=("web", "api")[n % 2])

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    report = log.report(limit=10)
    assert report.total_queries == threads * per_thread
    assert report.top == [(f"kysely {i}", threads * per_thread // 5) for i in range(5)]


def test_concurrent_records_from_two_processes_worth_of_connections(tmp_path, clock):
    # Two logs on one file, as two server workers would have: WAL lets both write.
    with open_query_log(tmp_path / "data", clock=clock) as first, open_query_log(tmp_path / "data", clock=clock) as second:
        workers = [threading.Thread(target=lambda q=q: [q.record("sote", 1) for _ in range(100)]) for q in (first, second)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        assert first.report().top == [("sote", 200)]


def test_a_failing_log_never_fails_the_search(log, caplog):
    log.close()
    with caplog.at_level(logging.WARNING, logger="app.querylog"):
        log.record("sote", 3)  # no exception
    assert "not recorded" in caplog.text and QUERYLOG_FILENAME in caplog.text


def test_a_locked_log_drops_the_entry_quickly(tmp_path, log, caplog):
    blocker = sqlite3.connect(tmp_path / "data" / QUERYLOG_FILENAME, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another writer holds the lock
    try:
        with caplog.at_level(logging.WARNING, logger="app.querylog"):
            log.record("sote", 3)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert "database is locked" in caplog.text
    log.record("sote", 3)
    assert log.report().total_queries == 1


def test_report_top_and_zero_with_ties_alphabetical(log):
    for query, total, times in [
        ("sote", 10, 3), ("palveluseteli", 4, 2), ("hyvinvointialue", 7, 2),
        ("omaolo", 0, 2), ("kotihoito", 0, 2), ("asiakasmaksu", 0, 1), ("asiakasmaksu", 5, 3),
    ]:
        for _ in range(times):
            log.record(query, total)
    report = log.report(limit=4)
    assert report.total_queries == 15
    assert report.top == [("asiakasmaksu", 4), ("sote", 3), ("hyvinvointialue", 2), ("kotihoito", 2)]
    assert report.zero == [("kotihoito", 2), ("omaolo", 2), ("asiakasmaksu", 1)]


def test_report_counts_only_the_last_days(log, clock):
    log.record("vanha", 0)
    clock.now += 10 * DAY
    log.record("uusi", 0)
    clock.now += 21 * DAY
    assert log.report(days=30).top == [("uusi", 1)]
    assert log.report(days=30).zero == [("uusi", 1)]
    assert log.report(days=31).total_queries == 2
    assert log.report(days=20).total_queries == 0


def test_hours_are_kept_apart_and_utc(tmp_path, log, clock):
    log.record("sote", 1)
    clock.now += HOUR
    log.record("sote", 1)
    assert [row[0] for row in stored_rows(tmp_path)] == ["2023-11-14T22:00Z", "2023-11-14T23:00Z"]


def test_prune_deletes_old_rows(tmp_path, clock):
    with open_query_log(tmp_path / "data", clock=clock, retain_days=10_000) as log:  # no automatic pruning here
        log.record("vanha", 1)
        clock.now += 200 * DAY
        log.record("uusi", 1)
        clock.now += 200 * DAY
        assert log.prune(days=365) == 1
        assert log.report(days=1000).top == [("uusi", 1)]
        assert log.prune() == 0


def test_counts_older_than_the_retention_are_pruned_as_searches_are_recorded(tmp_path, clock):
    with open_query_log(tmp_path / "data", clock=clock) as log:  # the default: [querylog] days = 90
        log.record("vanha", 1)
        clock.now += 89 * DAY
        log.record("kesken", 1)
        assert {q for q, _ in log.report(days=1000).top} == {"vanha", "kesken"}
        clock.now += 2 * DAY  # "vanha" is now 91 days old
        log.record("uusi", 1)
        assert {q for q, _ in log.report(days=1000).top} == {"kesken", "uusi"}
    with open_query_log(tmp_path / "data", clock=clock, retain_days=1) as log:
        clock.now += 2 * HOUR
        log.record("uusin", 1)  # the first record of a process prunes at once
        assert {q for q, _ in log.report(days=1000).top} == {"uusi", "uusin"}
        clock.now += 2 * DAY
        log.record("sama tunti", 1)
        assert {q for q, _ in log.report(days=1000).top} == {"sama tunti"}


@pytest.mark.parametrize("text, days", [("", 90), ("[querylog]\ndays = 30\n", 30), ("[web]\npublic_url = 'https://a.fi/'\n", 90)])
def test_retention_is_read_from_the_querylog_table(tmp_path, text, days):
    (tmp_path / "sotehaku.toml").write_text(text, encoding="utf-8")
    assert read_retention(tmp_path / "sotehaku.toml") == days


@pytest.mark.parametrize("text, message", [
    ("[querylog]\ndays = 0\n", "days must be a whole number of days, 1 or more"),
    ("[querylog]\ndays = '90'\n", "days must be a whole number of days"),
    ("[querylog]\nkeep = 90\n", "unknown setting keep"),
])
def test_bad_retention_is_explained(tmp_path, text, message):
    (tmp_path / "sotehaku.toml").write_text(text, encoding="utf-8")
    with pytest.raises(QueryLogError, match=message):
        read_retention(tmp_path / "sotehaku.toml")


def test_unopenable_log_names_the_path(tmp_path):
    (tmp_path / "data" / QUERYLOG_FILENAME).mkdir(parents=True)
    with pytest.raises(QueryLogError, match=f"Cannot open the query log .*{QUERYLOG_FILENAME}"):
        open_query_log(tmp_path / "data")
