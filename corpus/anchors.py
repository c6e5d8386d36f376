"""Anchor text: the words of a site's links to a page, gathered for that page from the pages that link it.

A menu label or a link text often names a page better than the page names itself ("Vårdreformen" for
"Social- och hälsovårdsreformen"). The crawl and the importers store each page's (target URL, text)
pairs (CorpusStore.link_texts); `anchor_texts` resolves them to the documents of the corpus and
`with_anchor_texts` attaches them to the documents as they are indexed, so an index update sees a page
whose anchor text changed as changed (Document.fingerprint) and nothing is stored that a killed run
could leave half-written.

Rules: links within one site (host) only; a page's links to itself never count; a text is counted once
per linking page and kept once per target (a menu repeated on every page is one text, however many
pages repeat it); a target keeps at most MAX_ANCHOR_TEXTS texts and MAX_ANCHOR_CHARS characters, the
texts most pages use first; and a page lends its link texts only to pages that nobody can see without
also seeing it (corpus.document.covers): an intranet page's words never make a public page findable.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from urllib.parse import urlsplit

from corpus.document import Document, covers

# A page linked from 10,000 menus keeps its most common texts (the sample site's most linked-to pages have
# at most 6 distinct link texts each).
MAX_ANCHOR_TEXTS = 50
MAX_ANCHOR_CHARS = 2000


def anchor_texts(store, *, max_share: float | None = None) -> dict[str, tuple[str, ...]]:
    """The anchor texts of each document of a corpus store that other pages of its site link to, by id.

    With `max_share`, a text that more than that share of a site's linking pages use for one target (a
    site-wide menu's label) is left out as boilerplate; by default it is kept, once (see RESULTS.md).
    """
    pages: Counter = Counter()  # linking pages per host
    target_hosts: dict[str, str] = {}
    counts: dict[str, Counter] = defaultdict(Counter)
    written: dict[str, dict[str, str]] = defaultdict(dict)  # the first spelling of each text, by its folded form
    seen: set[tuple[str, str]] = set()  # (target, text) pairs of the page at hand: a page counts once per text
    targets: dict[str, tuple[str, tuple[str, ...]]] | None = None
    for source_id, source_url, keys, pairs in store.link_texts():
        if targets is None:  # read only when some page links with words (an imported corpus has none)
            targets = store.link_targets()
        host = _host(source_url or source_id)
        pages[host] += 1
        for url, text in pairs:
            target_id, target_keys = targets.get(url, (None, ()))
            if target_id is None or target_id == source_id or _host(url) != host or not covers(keys, target_keys):
                continue
            key = text.casefold()
            target_hosts[target_id] = host
            if key not in written[target_id]:
                written[target_id][key] = text
            if (target_id, key) not in seen:
                seen.add((target_id, key))
                counts[target_id][key] += 1
        seen.clear()
    if max_share is not None:
        for target, counter in counts.items():
            limit = max_share * pages[target_hosts[target]]
            for key in [k for k, n in counter.items() if n > limit]:
                del counter[key]
    found = {target: _capped(counter, written[target]) for target, counter in counts.items()}
    return {target: texts for target, texts in found.items() if texts}


def with_anchor_texts(documents: Iterable[Document], anchors: dict[str, tuple[str, ...]]) -> Iterator[Document]:
    """The documents, each with its anchor texts (as `anchor_texts` found them) attached."""
    for doc in documents:
        texts = anchors.get(doc.id, ())
        yield doc.replace(anchors=texts) if texts != doc.anchors else doc


def _capped(counter: Counter, written: dict[str, str]) -> tuple[str, ...]:
    """The texts most linking pages use first (ties in alphabetical order), within the caps."""
    kept, chars = [], 0
    for key, _ in sorted(counter.items(), key=lambda item: (-item[1], item[0])):
        text = written[key]
        if len(kept) == MAX_ANCHOR_TEXTS or chars + len(text) > MAX_ANCHOR_CHARS:
            break
        kept.append(text)
        chars += len(text)
    return tuple(kept)


def _host(url: str) -> str:
    try:
        return urlsplit(url).netloc.lower()
    except ValueError:
        return ""
