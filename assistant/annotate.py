"""Reading ahead: every stored sentence's entities and noun phrases, found once and stored, so that a
question's reader looks them up instead of running spaCy (its largest cost: on the development index
spaCy's share of a warm answer falls from 38 to under 1 ms, and `assistant bench`'s answer p50 / p95 from
84.8 / 122.6 to 51.5 / 77.8 ms).

Separate from `ingest` because spaCy's tagger, parser and NER read about 6,000 words a second here, slower
than the encoder: done inline they would cut ingest to about 0.7 of the bare encoder's speed. Articles
not yet annotated (or changed since) are tagged at question time as before, with the same result: a
sentence's entities depend on its text alone, which is also what they are stored under. Incremental and
resumable: each batch of articles is committed with its "done" marks, and a rerun skips what is done.
"""

from __future__ import annotations

from dataclasses import dataclass

from tqdm import tqdm

from assistant import embedder, reader
from assistant.passages import is_wrapped, reading_sentences, split_passages
from assistant.settings import Settings
from assistant.store import Store

# Articles tagged and committed together: an interruption loses at most this many.
BATCH_ARTICLES = 50


@dataclass
class AnnotateReport:
    articles: int = 0
    sentences: int = 0
    already: int = 0

    def summary(self) -> str:
        return (f"{self.articles} articles annotated ({self.sentences} new sentences tagged), "
                f"{self.already} already were")


def annotate(settings: Settings, store: Store | None = None, progress: bool = True,
             doc_ids: set[str] | None = None) -> AnnotateReport:
    """Tag the sentences of every stored article (or of those in `doc_ids`: an upload's) not yet annotated
    in its current version."""
    store = store or Store(settings, writable=True)
    done = store.annotated()
    todo = [(doc_id, content_hash) for doc_id, content_hash in store.hashes()
            if doc_id not in done and (doc_ids is None or doc_id in doc_ids)]
    report = AnnotateReport(already=len(done))
    nlp = reader._nlp()
    bar = tqdm(desc="annotate", unit=" articles", total=len(todo), disable=not progress, dynamic_ncols=True)
    try:
        for i in range(0, len(todo), BATCH_ARTICLES):
            batch = todo[i:i + BATCH_ARTICLES]
            texts = list(dict.fromkeys(s for doc_id, _ in batch for s in _sentences(store, doc_id, settings)))
            keys = [reader.entity_key(t) for t in texts]
            have = store.entities(keys)
            new = [(k, t) for k, t in zip(keys, texts) if k not in have]
            rows = [(k, reader.encode_entities(entities))
                    for (k, _), entities in zip(new, reader.tag(nlp, [t for _, t in new], parsed=True))]
            store.add_entities(rows, batch)
            report.articles += len(batch)
            report.sentences += len(rows)
            bar.update(len(batch))
            bar.set_postfix(sentences=report.sentences)
    finally:
        bar.close()
    return report


def _sentences(store: Store, doc_id: str, settings: Settings) -> list[str]:
    """The sentences a reader can meet in the article: those of its passages, split as ingest split them."""
    article = store.article(doc_id)
    if article is None:  # removed since the list was read
        return []
    wrapped = is_wrapped(article.text)
    return [sentence for p in split_passages(doc_id, article.text, embedder.count_tokens, settings.passage_tokens)
            for _, _, sentence in reading_sentences(p.text, p.start, wrapped)]
