"""Cost of hostile input: a crawl of the hostile test site, and parsing deeply nested HTML.

Crawl: `sotehaku crawl` in its own process against the hostile site of tests/hostile.py (gzip bombs as
sitemap and as Content-Encoding, slow drips, 200,000 nested divs, UTF-16 robots.txt, broken PDF and DOCX,
a zip-bomb DOCX), served on 127.0.0.1; the baseline is the same crawl
of a benign twin, the same pages with the traps replaced by plain pages. Wall time and the crawl
process's own peak memory (wait4); the goal is under 500 MB.
Parse: parse_html on 1 MB of nested elements, refused by the depth limit and by the nesting-work limit,
and on the largest page the limits accept; the baseline is lxml building the same tree, no extraction.
The goal is under 2 s for 1 MB.
Run: .venv/bin/python benchmarks/hostile_site.py [--bomb-mb 1500]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import lxml.html

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))  # the hostile site is the tests' fixture

from fault_server import FaultServer, Reply, page  # noqa: E402
from hostile import hostile_routes, nested_html  # noqa: E402

from corpus.limits import MAX_ELEMENT_DEPTH, MAX_NESTING_WORK  # noqa: E402
from corpus.parse import ParseError, parse_html  # noqa: E402

BIN = Path(sys.executable).parent


def crawl_cost(routes: dict, server: FaultServer) -> tuple[float, float, int, int]:
    """(seconds, peak MB, documents stored, skip lines) of `sotehaku crawl` of the server in a child process."""
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "sotehaku.toml"
        config.write_text(
            f'[[source]]\nname = "bench"\nstart_urls = ["{server.url}/"]\ntimeout = 1\ndeadline = 3\nretries = 0\n',
            encoding="utf-8",
        )
        log = Path(tmp) / "crawl.log"
        command = [str(BIN / "sotehaku"), "--data-dir", str(Path(tmp) / "data"), "-v", "crawl", "--config", str(config)]
        started = time.perf_counter()
        with log.open("w") as err:
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=err, text=True)
            _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        summary = process.stdout.read()
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"the crawl failed:\n{log.read_text()}")
        skips = sum(line.startswith("skipped ") for line in log.read_text().splitlines())
        stored = int(summary.rsplit("The corpus has ", 1)[1].split()[0])
    return elapsed, usage.ru_maxrss / 1024, stored, skips


def benign_twin(routes: dict) -> dict:
    """The hostile site's paths with every trap replaced by a plain page of a few hundred bytes."""
    twin = {}
    for path, reply in routes.items():
        if path in ("/", "/tavallinen.html"):
            twin[path] = reply
        elif path == "/robots.txt":
            twin[path] = Reply("User-agent: *\nDisallow: /salainen.html\n", headers={"Content-Type": "text/plain"})
        elif path != "/sitemap.xml.gz":
            twin[path] = Reply(page(path.strip("/"), "Tavallinen sivu ilman ansoja."))
    return twin


def parse_cost(markup: str) -> tuple[float, str, float]:
    """(sotehaku seconds, outcome, lxml seconds) for one page."""
    started = time.perf_counter()
    try:
        parse_html(markup, "http://127.0.0.1/sivu.html")
        outcome = "parsed"
    except ParseError as exc:
        outcome = "refused: " + str(exc).split(": ", 1)[1]
    ours = time.perf_counter() - started
    started = time.perf_counter()
    lxml.html.document_fromstring(markup, parser=lxml.html.HTMLParser(huge_tree=True))
    return ours, outcome, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bomb-mb", type=int, default=1500, help="expanded size of each gzip and zip bomb (MB)")
    args = parser.parse_args()

    print(f"Crawl of the hostile site (bombs of {args.bomb_mb} MB expanded; zip-bomb DOCX included), "
          "sotehaku crawl in its own process")
    print(f"{'site':10} {'seconds':>8} {'peak MB':>8} {'stored':>7} {'skipped':>8}")
    routes: dict = {}
    with FaultServer(routes) as server:
        routes.update(hostile_routes(server.url, bomb_bytes=args.bomb_mb << 20))
        hostile = dict(routes)
        for label, site in (("benign", benign_twin(hostile)), ("hostile", hostile)):
            routes.clear()
            routes.update(site)
            seconds, peak, stored, skips = crawl_cost(routes, server)
            print(f"{label:10} {seconds:8.1f} {peak:8.0f} {stored:7} {skips:8}")

    depth = MAX_ELEMENT_DEPTH - 2  # inside <html><body>
    block = "<div>" * depth + "x" + "</div>" * depth
    # The most of the deepest blocks the limits accept: the worst page that gets parsed.
    at_limit = block * int(0.95 * MAX_NESTING_WORK // (depth * (depth + 1) // 2 + 2 * depth))
    shallow = "<div>" * 100 + "x" + "</div>" * 100
    pages = {
        "200,000 unclosed divs": "<html><body>" + "<div>" * 200_000 + "Syvällä.</body></html>",
        "200,000 nested divs": nested_html(200_000),
        "depth-100 blocks, 1 MB": f"<html><body>{shallow * (1_000_000 // len(shallow))}</body></html>",
        f"depth-{depth} blocks at limit": f"<html><body>{at_limit}</body></html>",
    }
    print("\nParsing nested HTML: parse_html against lxml building the same tree")
    print(f"{'page':26} {'KB':>6} {'sotehaku s':>11} {'lxml s':>7}  outcome")
    for label, markup in pages.items():
        ours, outcome, baseline = parse_cost(markup)
        print(f"{label:26} {len(markup) // 1024:6} {ours:11.3f} {baseline:7.3f}  {outcome}")


if __name__ == "__main__":
    main()
