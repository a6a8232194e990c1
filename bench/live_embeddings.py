"""Live demos of the word-embeddings lesson, each from scratch with default settings, in a fresh process.

Run: .venv/bin/python bench/live_embeddings.py  → one line per demo:
    live demo=<name> seconds=<s> quality=<q> cpu_s=<CPU seconds of the demo> load1=<load>
Libraries are imported (and GloVe, the corpus and the cached Wikipedia parse loaded) before the clock
starts, as on a running server; the numba cache (UMAP) is the app's own folder, so a second run of
the umap demo shows the cached compile. bench/live.py aggregates these lines.
"""

from __future__ import annotations

import functools
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MONEY_S = ["he borrowed money from the bank", "she paid the cheque into her account at the bank",
           "the central bank raised interest rates", "investors sold shares of the bank"]
RIVER_S = ["we fished from the grassy river bank", "the boat drifted toward the muddy bank",
           "flood water spilled over the river bank", "reeds grew thick along the stream bank"]
MAP_WORDS = ["france", "germany", "italy", "spain", "japan", "india", "russia", "egypt",
             "paris", "berlin", "rome", "madrid", "tokyo", "delhi", "moscow", "cairo"]


def _start() -> float:
    return time.perf_counter()


def _since(t0: float) -> float:
    return time.perf_counter() - t0


@functools.cache
def _ready():
    """GloVe and the corpus, loaded once per process before any clock starts."""
    from core.common.paths import cache_dir

    os.environ.setdefault("NUMBA_CACHE_DIR", str(cache_dir("numba")))
    from core.common.runtime import torch_thread_policy
    from core.embeddings import sources as S
    from core.embeddings import vectors as E

    torch_thread_policy()
    return E.load_glove(), S.corpus_sentences("wiki+lee")


def bank():
    from core.embeddings import bank as B

    G, corpus = _ready()
    t0 = _start()
    lm = B.train(B.ContextLMConfig(), corpus, G)
    st = B.bank_states(lm, G, MONEY_S, RIVER_S, ["money", "loan"], ["river", "shore"])
    return _since(t0), f"same_sense_cos={st.same:.3f},cross_sense_cos={st.diff:.3f}"


def word2vec():
    from core.embeddings import sources as S
    from core.embeddings import vectors as E

    _, corpus = _ready()
    t0 = _start()
    emb = S.train_word2vec(S.W2VConfig(), corpus)
    dt = _since(t0)
    return dt, "france->" + "/".join(E.neighbours(emb, "france", 5).words)


def warm_start():
    from core.embeddings import bank as B

    from core.embeddings import sources as S

    G, _ = _ready()
    wiki, news = S.corpus_sentences("wiki"), S.corpus_sentences("lee")
    t0 = _start()
    ws = B.warm_start(B.WarmStartConfig(), wiki, news, G)
    best = ",".join(f"{n.replace(', ', '-').replace(' ', '')}={v:.3f}" for n, v in zip(ws.inputs, ws.heldout.min(1)))
    return _since(t0), "best_heldout_nats:" + best


def _projection(method: str):
    from core.embeddings import vectors as E

    G, _ = _ready()
    t0 = _start()
    m = E.project(G, MAP_WORDS, method, 2, background=200)
    return _since(t0), f"trustworthiness={m.trustworthiness:.3f},points={len(m.words)}"


def tsne():
    return _projection("tsne")


def umap():
    return _projection("umap")


def analogies_400k():
    from core.embeddings import vectors as E

    G, _ = _ready()
    t0 = _start()
    ab = E.evaluate_analogies(G, restrict_vocab=400_000)
    return _since(t0), f"accuracy={ab.accuracy:.4f}"


def analogies_100k():
    from core.embeddings import vectors as E

    G, _ = _ready()
    t0 = _start()
    ab = E.evaluate_analogies(G, restrict_vocab=100_000)
    return _since(t0), f"accuracy={ab.accuracy:.4f}"


DEMOS = {"bank_gru_lm": bank, "word2vec": word2vec, "warm_start": warm_start, "tsne_first_call": tsne,
         "umap_first_call": umap, "analogies_100k": analogies_100k, "analogies_400k": analogies_400k}


if __name__ == "__main__":
    from bench.live import run_lesson

    run_lesson(__file__, DEMOS, _ready)
