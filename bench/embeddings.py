"""Benchmarks of the word-embeddings lesson, each against a reference run in the same process.

Run: .venv/bin/python bench/embeddings.py [--skip-gensim-30k]
Prints one line per figure.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from core.common.paths import cache_dir  # noqa: E402
from core.embeddings import vectors as E  # noqa: E402


def timed(fn, *args, **kw):
    t0 = time.perf_counter()
    out = fn(*args, **kw)
    return out, time.perf_counter() - t0


def main() -> None:
    skip_gensim = "--skip-gensim-30k" in sys.argv
    emb, t_first = timed(E.load_glove)
    _, t_second = timed(E.load_glove)
    cache = {"glove": emb}
    _, t_cached = timed(cache.get, "glove")  # what st.cache_resource does on every later page run
    rss_note = "memory-mapped (vectors not copied)" if not emb.vectors.flags.owndata else "copied"
    print(f"GloVe load: first {t_first:.2f} s, second {t_second:.2f} s, cached {t_cached * 1e6:.1f} µs; "
          f"{emb.V:,} × {emb.D}, {rss_note}")

    kv = E.to_keyed_vectors(emb)
    path = E.benchmark_path("questions-words.txt")

    ours, t_ours = timed(E.evaluate_analogies, emb, path, 30_000)
    if skip_gensim:
        print(f"Analogies, first 30k words: ours {ours.accuracy:.2%} in {t_ours:.1f} s (gensim skipped)")
    else:
        (g_score, _), t_g = timed(kv.evaluate_word_analogies, path, restrict_vocab=30_000)
        same = "identical" if abs(g_score - ours.accuracy) < 1e-12 else f"DIFFERENT (gensim {g_score:.4%})"
        print(f"Analogies, first 30k words: ours {ours.accuracy:.2%} in {t_ours:.1f} s, gensim {g_score:.2%} in "
              f"{t_g:.1f} s -> {same}, {t_g / t_ours:.1f}x faster")

    full, t_full = timed(E.evaluate_analogies, emb, path, 400_000)
    print(f"Analogies, all 400k words: ours {full.accuracy:.2%} ({int(full.total.sum()):,} questions) in {t_full:.1f} s")

    ws = E.evaluate_pairs(emb, E.benchmark_path("wordsim353.tsv"))
    sl = E.evaluate_pairs(emb, E.benchmark_path("simlex999.txt"), name="SimLex-999")
    g_ws = kv.evaluate_word_pairs(E.benchmark_path("wordsim353.tsv"))[1].statistic
    g_sl = kv.evaluate_word_pairs(E.benchmark_path("simlex999.txt"))[1].statistic
    print(f"Word pairs (restrict 300k): WordSim353 Spearman {ws.spearman:.4f} (gensim {g_ws:.4f}), "
          f"SimLex-999 {sl.spearman:.4f} (gensim {g_sl:.4f}) -> "
          f"{'identical' if (ws.spearman, sl.spearman) == (g_ws, g_sl) else 'DIFFERENT'}")

    words = [w for w in emb.itos[:5000] if w.isalpha()][::50][:60]
    kv.most_similar(words[0], topn=10)  # warm both paths
    E.neighbours(emb, words[0], 10)
    t_o = t_g = 0.0
    identical = True
    for w in words:
        o, t1 = timed(E.neighbours, emb, w, 10)
        g, t2 = timed(kv.most_similar, w, topn=10)
        t_o, t_g = t_o + t1, t_g + t2
        identical &= list(o.words) == [x for x, _ in g] and np.allclose(o.sims, [s for _, s in g], atol=0, rtol=0)
    print(f"Nearest neighbours (top 10 of 400k), {len(words)} words: ours {t_o / len(words) * 1000:.1f} ms, gensim "
          f"{t_g / len(words) * 1000:.1f} ms per word -> {'identical' if identical else 'DIFFERENT'}, "
          f"{t_g / t_o:.2f}x gensim's speed")

    part, t_100k = timed(E.evaluate_analogies, emb, path, 100_000)
    print(f"Analogies, first 100k words: {part.accuracy:.2%} in {t_100k:.1f} s (the page's 100k button; "
          f"400k: {t_full:.1f} s)")

    _, t_pca = timed(E.project, emb, ["king"], "pca", 2, 9_999)
    print(f"PCA of 10,000 words (2D, + trustworthiness): {t_pca:.2f} s")
    _, t_tsne = timed(E.project, emb, ["king"], "tsne", 2, 1_999, 30.0)
    print(f"t-SNE of 2,000 words (2D, perplexity 30): {t_tsne:.1f} s -> {t_tsne / 2:.1f} s per 1,000 points")
    os.environ.setdefault("NUMBA_CACHE_DIR", str(cache_dir("numba")))
    _, t_u1 = timed(E.project, emb, ["king"], "umap", 2, 99)
    _, t_umap = timed(E.project, emb, ["king"], "umap", 2, 2_999)
    print(f"UMAP: first call (100 words, numba from the app's cache) {t_u1:.1f} s; 3,000 words {t_umap:.1f} s "
          f"-> {t_umap / 3:.1f} s per 1,000 points")


if __name__ == "__main__":
    main()
