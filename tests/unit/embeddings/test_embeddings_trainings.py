"""The lesson's trainings: deterministic under concurrency, and each keeps what it shows (properties)."""

import threading

import numpy as np
import pytest
import torch

from core.embeddings import bank as B
from core.embeddings import sources as S
from core.embeddings import vectors as E
from ui import embeddings as lesson
from ui.train import without_page

MONEY_S = ["he borrowed money from the bank", "she paid the cheque into her account at the bank",
           "the central bank raised interest rates", "investors sold shares of the bank"]
RIVER_S = ["we fished from the grassy river bank", "the boat drifted toward the muddy bank",
           "flood water spilled over the river bank", "reeds grew thick along the stream bank"]


@pytest.fixture(scope="module")
def glove():
    return E.load_glove()


@pytest.fixture(scope="module")
def toy_corpus():
    rng = np.random.default_rng(0)
    pool = ["the", "bank", "river", "money", "loan", "water", "of", "a", "he", "she", "fish", "cash", "muddy"]
    return [tuple(rng.choice(pool, size=30)) for _ in range(60)]


def same_model(a: B.ContextLM, b: B.ContextLM) -> bool:
    sa, sb = a.model.state_dict(), b.model.state_dict()
    return sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa) and np.array_equal(a.loss, b.loss)


def test_two_trainings_at_once_equal_their_solo_runs_bit_for_bit(glove, toy_corpus):
    """Two different settings trained in two threads at the same time give exactly their solo results."""
    cfgs = [B.ContextLMConfig(corpus="toy", vocab_size=12, hidden_size=8, seq_len=8, batch_size=4, steps=40, seed=1),
            B.ContextLMConfig(corpus="toy", vocab_size=12, hidden_size=12, seq_len=8, batch_size=4, steps=40, seed=2,
                              inputs="random, trained")]
    solo = [B.train(c, toy_corpus, glove) for c in cfgs]
    together: list = [None, None]
    barrier = threading.Barrier(2)

    def work(i):
        barrier.wait()
        together[i] = B.train(cfgs[i], toy_corpus, glove)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert same_model(solo[0], together[0]) and same_model(solo[1], together[1])
    assert not np.array_equal(solo[0].loss, solo[1].loss)  # two different trainings, not one twice


def test_training_leaves_the_global_rng_alone(glove, toy_corpus):
    torch.manual_seed(123)
    before = torch.random.get_rng_state().clone()
    B.train(B.ContextLMConfig(corpus="toy", vocab_size=12, hidden_size=8, seq_len=8, batch_size=4, steps=5),
            toy_corpus, glove)
    assert torch.equal(torch.random.get_rng_state(), before)


def test_random_inputs_are_not_glove_and_fine_tuning_moves_glove(glove, toy_corpus):
    base = dict(corpus="toy", vocab_size=12, hidden_size=8, seq_len=8, batch_size=4, steps=10)
    frozen = B.train(B.ContextLMConfig(**base), toy_corpus, glove)
    tuned = B.train(B.ContextLMConfig(**base, inputs="GloVe, fine-tuned"), toy_corpus, glove)
    rnd = B.train(B.ContextLMConfig(**base, inputs="random, trained"), toy_corpus, glove)
    w = frozen.itos[1]  # the most frequent word: it is in every training batch
    i = frozen.stoi[w]
    g = torch.from_numpy(np.array(glove.vectors[glove.stoi[w]]))
    assert torch.equal(frozen.model.embed.weight[i], g)
    assert not torch.equal(tuned.model.embed.weight[i], g)
    assert torch.corrcoef(torch.stack([rnd.model.embed.weight[i], g]))[0, 1].abs() < 0.6


# ---- the real defaults keep what they show --------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus():
    return S.corpus_sentences("wiki+lee")


def test_default_bank_model_separates_the_senses(glove, corpus):
    """The default GRU's states at "bank" are closer within a sense than across senses (centred cosines)."""
    with without_page():  # through the door, as the page trains it (the page tests reuse it)
        lm = lesson.bank_model(B.ContextLMConfig())
    st = B.bank_states(lm, glove, MONEY_S, RIVER_S, ["money", "loan"], ["river", "shore"])
    assert st.same > st.diff + 0.3
    assert "sit together" in B.states_notice(st)
    assert lm.loss[-20:].mean() < np.log(len(lm.itos)) - 2  # it learnt far more than guessing


def test_default_word2vec_neighbours_are_sensible(corpus):
    emb = S.train_word2vec(S.W2VConfig(), corpus)
    europe = {"germany", "spain", "italy", "britain", "russia", "england", "europe", "belgium", "netherlands"}
    assert len(europe & set(E.neighbours(emb, "france", 5).words)) >= 3
    assert "civil" in E.neighbours(emb, "war", 5).words


def test_default_warm_start_beats_random_inputs(glove):
    """With little labelled text, GloVe inputs reach a clearly lower held-out loss than random ones."""
    with without_page():  # through the door, as the page trains it (the page tests reuse it)
        ws = lesson.warm_start(B.WarmStartConfig())
    best = dict(zip(ws.inputs, ws.heldout.min(axis=1)))
    assert best["GloVe, frozen"] < best["random, trained"] - 0.1
    assert ws.accuracy[0].max() > ws.accuracy[2].max()
    assert "below random inputs" in B.warm_notice(ws)
