"""The encoder–decoder lesson's default demos, each timed from scratch in a fresh process (imports done first).

Run: python bench/live_seq2seq.py   → one ``live demo=<name> seconds=<s> quality=<q>`` line per demo.
``python bench/live_seq2seq.py --one <name>`` runs one demo in this process (what the parent calls).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere


def default_training() -> tuple[float, str]:
    """The page's default model: data generated, trained to the target, held-out exact match measured."""
    from bench.live import timed
    from core.seq2seq import model as s2s

    seconds, tm = timed(s2s.train, s2s.Seq2SeqConfig())
    return seconds, f"held-out_exact_match={tm.record.held_out:.3f} steps={tm.record.steps_run}"


def bottleneck() -> tuple[float, str]:
    """Both bottleneck models (fixed C and attention) and their exact match by length."""
    from bench.live import timed
    from core.seq2seq import model as s2s

    seconds, curves = timed(lambda: [s2s.accuracy_by_length(s2s.train(s2s.bottleneck_config(att)))
                                     for att in (False, True)])
    L = s2s.bottleneck_config(False).max_train_len

    def at(c, lo, hi):
        sel = (c.lengths >= lo) & (c.lengths <= hi)
        return (c.exact_match[sel] * c.counts[sel]).sum() / c.counts[sel].sum()

    plain, att = curves
    return seconds, (f"fixed_C_at_{L - 1}-{L}={at(plain, L - 1, L):.2f} attention_at_{L - 1}-{L}={at(att, L - 1, L):.2f} "
                     f"fixed_C_beyond={at(plain, L + 1, 99):.2f} attention_beyond={at(att, L + 1, 99):.2f}")


def what_if_numbers_de() -> tuple[float, str]:
    """A what-if retrain: the English → German number task at the page's default settings."""
    from bench.live import timed
    from core.seq2seq import model as s2s

    seconds, tm = timed(s2s.train, s2s.Seq2SeqConfig(task="numbers_de"))
    return seconds, f"held-out_exact_match={tm.record.held_out:.3f} steps={tm.record.steps_run}"


DEMOS = {"seq2seq_default": default_training, "seq2seq_bottleneck": bottleneck, "seq2seq_whatif_numbers_de": what_if_numbers_de}


def _imports() -> float:
    """Import what the demos use, including what torch loads lazily on first use: an optimizer's first
    step imports torch._dynamo, a first module built on the meta device torch's decompositions (about
    2.5 s together). A server pays these once per process, in its warm-up (as bench/live_hello.py)."""
    t0 = time.perf_counter()
    import sklearn.decomposition  # noqa: F401
    from bench.live import torch_first_use
    from core.common.runtime import torch_thread_policy
    from core.seq2seq import data, model  # noqa: F401

    torch_thread_policy()  # what the training door does before each job
    data.format_date(data.FIRST_DATE, "en_US", "MMM d, y")  # babel's locale data loaded
    data.number_words(1)
    torch_first_use()
    return time.perf_counter() - t0


if __name__ == "__main__":
    from bench.live import run_lesson

    run_lesson(__file__, DEMOS, _imports)
