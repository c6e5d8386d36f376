"""The analysts' commands on the sample site's index: filters, CSV, batch TREC runs, eval, suggest, stats."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from click.testing import CliRunner

from app.cli import main

TREC_LINE = re.compile(r"(\S+) Q0 (\S+) (\d+) (-?\d+\.\d{6}) (\S+)")


@pytest.fixture(scope="module")
def run(indexed_data_dir):
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(main, ["--data-dir", str(indexed_data_dir), *args])

    return invoke


def test_filters_and_csv(run):
    result = run("search", "palveluseteli", "--type", "pdf", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert rows and all(row["type"] == "pdf" for row in rows)
    assert rows[0]["url"].endswith("/liitteet/palveluseteli-saantokirja.pdf")
    assert "<mark>" not in rows[0]["snippet"] and rows[0]["rank"] == "1"


def test_a_query_of_only_common_words_is_no_error(run):
    """Issue 12: the CLI exited 1 on "Kuka oli"; it answers with no hits and says why."""
    result = run("search", "Kuka oli")
    assert result.exit_code == 0, result.output
    assert "only very common words" in result.output and "No results for 'Kuka oli'." in result.output


def test_query_language_on_the_command_line(run):
    result = run("search", "palveluseteli -kotihoito lang:fi", "--format", "json")
    hits = json.loads(result.output)["hits"]
    assert hits and all(h["lang"] == "fi" for h in hits)
    plain = json.loads(run("search", "palveluseteli lang:fi", "--format", "json", "--limit", "50").output)["hits"]
    assert len(hits) < len(plain)


def test_batch_prints_trec_lines_for_natural_language_questions(run, tmp_path):
    queries = tmp_path / "queries.tsv"
    queries.write_text(
        "q1\tMitä palveluseteli maksaa?\nq2\tMissä on lähin sote-keskus?\n\nq3\tja tai että\n", encoding="utf-8"
    )
    result = run("search", "--batch", str(queries), "--limit", "5")
    lines = [TREC_LINE.fullmatch(line) for line in result.stdout.splitlines()]
    assert lines and all(lines), result.stdout
    by_query = {}
    for match in lines:
        by_query.setdefault(match.group(1), []).append((int(match.group(3)), float(match.group(4)), match.group(2)))
    assert set(by_query) == {"q1", "q2"}
    for ranked in by_query.values():
        assert [r for r, _, _ in ranked] == list(range(1, len(ranked) + 1)) and len(ranked) <= 5
        assert [s for _, s, _ in ranked] == sorted((s for _, s, _ in ranked), reverse=True)
    assert by_query["q1"][0][2].endswith("/palvelut/palveluseteli.html")
    assert all(m.group(5) == "sotehaku" for m in lines)
    assert result.exit_code == 0 and "query q3: no hits" in result.stderr  # only stopwords: no hits, not an error


def test_batch_never_ranks_internal_documents_unless_asked(run, tmp_path):
    queries = tmp_path / "q.tsv"
    queries.write_text("s1\tkaarnalaiva\n", encoding="utf-8")
    assert "/sisainen/" not in run("search", "--batch", str(queries)).stdout
    assert "/sisainen/" in run("search", "--batch", str(queries), "--internal").stdout


def test_batch_file_with_a_bad_line_names_it(run, tmp_path):
    queries = tmp_path / "bad.tsv"
    queries.write_text("q1 no tab here\n", encoding="utf-8")
    result = run("search", "--batch", str(queries))
    assert result.exit_code == 1 and f"{queries}:1: expected 'qid<TAB>query'" in result.output
    assert "Traceback" not in result.output


def test_eval_reports_the_four_measures(run, tmp_path, sample_site_url):
    queries = tmp_path / "q.tsv"
    queries.write_text("q1\tpalveluseteli\nq2\tsote-keskukset\nq3\tmissä asia\n", encoding="utf-8")
    qrels = tmp_path / "qrels.txt"
    qrels.write_text(
        f"q1 0 {sample_site_url}/palvelut/palveluseteli.html 1\n"
        f"q2 0 {sample_site_url}/palvelut/sote-keskus.html 2\n"
        f"q3 0 {sample_site_url}/ei-ole.html 0\n",
        encoding="utf-8",
    )
    result = run("eval", "--queries", str(queries), "--qrels", str(qrels), "--format", "json")
    scores = json.loads(result.output)
    assert scores["queries"] == 2  # q3 has no relevant document
    assert scores["MRR@10"] == 1.0 and scores["nDCG@10"] == 1.0 and scores["Recall@100"] == 1.0
    text = run("eval", "--queries", str(queries), "--qrels", str(qrels)).output
    assert re.search(r"^nDCG@10\s+1\.0000$", text, re.M)


def test_eval_with_mismatched_ids_explains(run, tmp_path):
    queries = tmp_path / "q.tsv"
    queries.write_text("a\tpalveluseteli\n", encoding="utf-8")
    qrels = tmp_path / "qrels.txt"
    qrels.write_text("b 0 x 1\n", encoding="utf-8")
    result = run("eval", "--queries", str(queries), "--qrels", str(qrels))
    assert result.exit_code == 1 and "Check that their query ids match" in result.output


def test_suggest_completes_from_visible_documents(run):
    assert "sotekeskus" in run("suggest", "sotek").output.split("\n")
    assert run("suggest", "kaarna").output == ""
    assert "kaarnalaiva" in run("suggest", "kaarna", "--internal").output


def test_stats(run):
    info = json.loads(run("stats", "--format", "json", "--top", "50").output)
    staff = json.loads(run("stats", "--format", "json", "--internal").output)
    corpus, everything = info["corpus"], staff["corpus"]
    assert everything["by_visibility"]["internal"] >= 10 and everything["by_visibility"]["public"] >= 45
    assert set(corpus["by_language"]) == {"fi", "sv", "en"}
    assert info["index"]["documents"] == corpus["documents"] == everything["by_visibility"]["public"]
    assert info["index"]["bytes"] > 10_000
    assert staff["index"]["documents"] == everything["documents"] > corpus["documents"]
    terms = [t["term"] for t in info["index"]["top_terms"]]
    assert "hyvinvointialue" in " ".join(terms) and "ja" not in terms
    assert not any("kaarnalaiva" in t for t in terms)
    text = run("stats").output
    assert "Top terms (public documents" in text


def test_stats_without_internal_counts_public_documents_by_filter_type(run):
    """Issue 13: stats without --internal printed the internal count, and MIME types where filters say pdf/docx."""
    info = json.loads(run("stats", "--format", "json").output)["corpus"]
    staff = json.loads(run("stats", "--format", "json", "--internal").output)["corpus"]
    assert "by_visibility" not in info and "sample-intranet" not in info["by_source"]
    assert staff["by_source"]["sample-intranet"] >= 10
    assert {"html", "pdf", "odp", "xlsx"} <= set(info["by_type"]) and not [t for t in info["by_type"] if "/" in t]
    assert sum(info["by_type"].values()) == info["documents"]
    text = run("stats").output
    assert "internal" not in text.split("Top terms")[0].replace("--internal", "")
    assert "by type: " in text and "application/" not in text
    assert "by visibility: internal" in run("stats", "--internal").output
    for kind in info["by_type"]:  # each value is one the type filter takes
        assert run("search", "hyvinvointialue", "--type", kind, "--format", "json").exit_code == 0


def test_one_query_pages_at_most_a_hundred_hits(run):
    """Ranks are numbered from --page and --limit, so a limit the engine would cut must be refused."""
    result = run("search", "palveluseteli", "--limit", "500", "--page", "2")
    assert result.exit_code == 2 and "--limit is at most 100 hits per page" in result.output


def test_search_names_a_word_no_page_has_and_the_part_searched(run):
    result = run("search", "kvanttikotihoito")
    assert result.exit_code == 0, result.output
    assert "No page has the word 'kvanttikotihoito'; showing pages with 'kotihoito', the last part of the compound." in result.output
    assert "no page has every word" not in result.output
