"""The encoder–decoder against the lecture's definitions and against torch.nn.GRU."""

import dataclasses

import numpy as np
import pytest
import torch

from core.common import beam as beam_lib
from core.seq2seq import model as s2s
from core.seq2seq import data as sd


def untrained(attention: bool = False, seed: int = 0, task: str = "dates") -> s2s.TrainedSeq2Seq:
    """A randomly initialised model wrapped like a trained one: the definitions hold for any weights."""
    data = sd.make_dataset(task, n_train=300, n_test=40, seed=seed)
    cfg = s2s.Seq2SeqConfig(task=task, n_train=300, n_test=40, hidden_size=16, embed_size=8, attention=attention)
    model = s2s.build_model(data, cfg, torch.Generator().manual_seed(seed)).eval()
    return s2s.TrainedSeq2Seq(cfg, data, model, None)


def test_context_is_the_final_hidden_state_of_torch_gru():
    """C = h_{n_x}: for every input of a padded batch, equal to nn.GRU's h_n on that input alone."""
    tm = untrained()
    sources = ["Nov 26, 2026", "1/2/03", "Thursday, November 26, 2026"]
    x, n_x = s2s.encode_sources(tm.data, sources)
    with torch.no_grad():
        states, context = tm.model.encode(x, n_x)
        reference = torch.nn.GRU(8, 16, batch_first=True)
        reference.load_state_dict(tm.model.encoder.state_dict())
        for b, src in enumerate(sources):
            ids = torch.tensor([tm.data.src.encode(src)])
            out, h_n = reference(tm.model.src_embed(ids))
            torch.testing.assert_close(context[b], h_n[0, 0])
            torch.testing.assert_close(states[b, : len(src)], out[0])
    enc = s2s.encode(tm, sources[1])
    np.testing.assert_allclose(enc.C, enc.states[-1])


def test_decoder_sees_the_input_only_through_context():
    """Same C → same output, whatever produced it; change only C → the output distribution changes."""
    tm = untrained(seed=1)
    a, b = "Nov 26, 2026", "3/4/51"
    C_a, C_b = s2s.encode(tm, a).C, s2s.encode(tm, b).C
    from_text, from_C = s2s.decode(tm, a), s2s.decode(tm, C=C_a)
    assert from_text.tokens == from_C.tokens
    np.testing.assert_allclose(from_text.probs, from_C.probs, atol=1e-6)
    # one decoder step, same previous token and same g: only C differs
    with torch.no_grad():
        prev = torch.tensor([sd.BOS_ID])
        g = torch.zeros(1, 16)
        lp_a, _, _ = tm.model.step(prev, (g, torch.tensor(C_a)[None]))
        lp_a2, _, _ = tm.model.step(prev, (g, torch.tensor(C_a)[None]))
        lp_b, _, _ = tm.model.step(prev, (g, torch.tensor(C_b)[None]))
    torch.testing.assert_close(lp_a, lp_a2)
    assert (lp_a - lp_b).abs().max() > 1e-4
    assert np.abs(s2s.decode(tm, C=C_b).probs[0] - from_C.probs[0]).max() > 1e-4


@pytest.mark.parametrize("attention", [False, True])
def test_greedy_equals_beam_width_one(attention):
    tm = untrained(attention, seed=2)
    for e in tm.data.test[:15]:
        mine = s2s.decode(tm, e.source)
        res = s2s.beam(tm, e.source, 1)
        tokens, score = res.hypotheses[0]
        ids = [tm.data.tgt.stoi[t] for t in mine.tokens if t != "<eos>"]
        assert tokens == ids
        assert abs(score - mine.log_prob) < 1e-4
        ref_tokens, _ = beam_lib.greedy(s2s.step_fn(tm.model), s2s._state_for(tm, e.source, None), sd.BOS_ID, sd.EOS_ID,
                                        tm.data.max_target + 1)
        assert ref_tokens == ids


def test_batched_greedy_matches_one_at_a_time_with_attention_masking():
    """Padding must not leak: a batch of different lengths decodes exactly as each input alone."""
    tm = untrained(True, seed=3)
    sources = [e.source for e in tm.data.test[:12]]
    batch = s2s.greedy_batch(tm.model, tm.data, sources)
    assert batch == [s2s.decode(tm, src).text for src in sources]
    att = s2s.decode(tm, sources[0]).attention
    assert att.shape[1] == len(sources[0])
    np.testing.assert_allclose(att.sum(1), 1.0, atol=1e-5)


def test_forcing_a_token_changes_that_step_and_keeps_earlier_ones():
    tm = untrained(seed=4)
    free = s2s.decode(tm, "Nov 26, 2026")
    forced = s2s.decode(tm, "Nov 26, 2026", force=(2, "7"))
    assert forced.tokens[:2] == free.tokens[:2] and forced.tokens[2] == "7"
    assert forced.prev_tokens[3] == "7"  # the decoder continues from the forced token


def test_interpolation_ends_decode_like_the_inputs():
    tm = untrained(seed=5)
    a, b = tm.data.test[0].source, tm.data.test[1].source
    path = s2s.interpolate(tm, a, b, n=5)
    assert path.outputs[0] == s2s.decode(tm, a).text and path.outputs[-1] == s2s.decode(tm, b).text
    np.testing.assert_allclose(path.Cs[2], (s2s.encode(tm, a).C + s2s.encode(tm, b).C) / 2, atol=1e-6)


def test_teacher_forcing_feeds_the_true_previous_token():
    tm = untrained(seed=6)
    run = s2s.decode(tm, "Nov 26, 2026", teacher="2026-11-26")
    assert run.prev_tokens == ("<bos>",) + tuple("2026-11-26")
    assert run.probs.shape == (11, len(tm.data.tgt))


def test_pca_matches_numpy_svd():
    X = np.random.default_rng(0).normal(size=(50, 6)) * np.arange(1, 7)
    proj = s2s.pca_2d(X)
    Xc = X - X.mean(0)
    _, S, Vt = np.linalg.svd(Xc, full_matrices=False)
    np.testing.assert_allclose(np.abs(proj.points), np.abs(Xc @ Vt[:2].T), atol=1e-8)
    np.testing.assert_allclose(proj.explained, (S[:2] ** 2) / (S**2).sum(), atol=1e-10)
    np.testing.assert_allclose(proj.project(X[:3]), proj.points[:3], atol=1e-10)


def test_bad_inputs_are_refused_with_a_reason():
    tm = untrained()
    for bad in ("", "   ", "x" * 500):
        with pytest.raises(s2s.InputError):
            s2s.encode(tm, bad)
    assert s2s.encode(tm, "Nov ☃ 2026").unknown == ("☃",)


SMALL = s2s.Seq2SeqConfig(task="reverse", reverse_len=(2, 5), n_train=1500, n_test=200, hidden_size=48,
                          embed_size=16, steps=250, lr=0.01, eval_every=250)


def test_short_training_learns_and_is_reproducible():
    """Reversing 2–5 letters: chance of an exact match is tiny (26^-n); a short run gets most right."""
    tm = s2s.train(SMALL)
    assert tm.final_exact_match > 0.5
    assert tm.record.loss[-1] < tm.record.loss[0] / 3
    calls = []
    again = s2s.train(dataclasses.replace(SMALL, steps=20, eval_every=20), on_step=lambda i, n: calls.append((i, n)))
    assert calls == [(i, 20) for i in range(1, 21)]
    first = s2s.train(dataclasses.replace(SMALL, steps=20, eval_every=20))
    np.testing.assert_array_equal(again.record.loss, first.record.loss)
    assert not any(p.requires_grad for p in tm.model.parameters())  # shared read-only


def test_attention_trains_with_teacher_forcing_below_one():
    cfg = dataclasses.replace(SMALL, attention=True, teacher_forcing=0.5, steps=250)
    tm = s2s.train(cfg)
    assert tm.final_exact_match > 0.5
    curve = s2s.accuracy_by_length(tm)
    assert list(curve.lengths) == [2, 3, 4, 5] and curve.counts.sum() == 200
    np.testing.assert_allclose((curve.exact_match * curve.counts).sum() / 200, tm.final_exact_match)
    sources = [e.source for e in tm.data.test[:40]]  # a trained batch ends early, once every output has its <eos>
    assert s2s.greedy_batch(tm.model, tm.data, sources) == [s2s.decode(tm, x).text for x in sources]


def test_max_train_len_restricts_training_only():
    data = sd.make_dataset("reverse", 400, 100, 0, (3, 8))
    cfg = dataclasses.replace(SMALL, max_train_len=5)
    used = s2s.train_examples(data, cfg)
    assert used and max(len(e.source) for e in used) <= 5
    assert max(len(e.source) for e in data.test) == 8


def test_batches_encoded_once_equal_batches_encoded_from_text():
    """Training takes rows of the examples encoded once; each batch is exactly what make_batch builds from text."""
    data = sd.make_dataset("dates", n_train=400, n_test=40, seed=2)
    batches = s2s.Batches(data, data.train)
    rows = torch.randperm(len(data.train), generator=torch.Generator().manual_seed(1))[:37].tolist()
    for got, want in zip(batches.take(rows), s2s.make_batch(data, [data.train[i] for i in rows])):
        assert torch.equal(got, want)
