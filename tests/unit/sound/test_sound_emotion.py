"""The CNN + LSTM emotion classifier: causal per-frame beliefs that sum to 1, and it learns."""

import numpy as np
import pytest
import torch

from core.sound import emotion, features, speech
from ui import sound as lesson
from ui.train import without_page


@pytest.fixture(scope="module")
def record():
    """The default model, trained through the door as the page trains it (the page tests reuse it)."""
    with without_page():
        return lesson.emotion_record(emotion.EmotionConfig())


def test_net_never_looks_ahead():
    """P(style | frames 1..t) must not change when later frames change."""
    net = emotion.EmotionNet(features.N_MELS, 4).eval()
    x = torch.randn(1, 30, features.N_MELS, generator=torch.Generator().manual_seed(0))
    y = x.clone()
    y[:, 20:] += 5.0
    with torch.no_grad():
        a, b = net(x), net(y)
    torch.testing.assert_close(a[:, :20], b[:, :20])
    assert not torch.allclose(a[:, 20:], b[:, 20:])


def test_lstm_is_torchs_lstm_over_cnn_features():
    """The recurrence is nn.LSTM itself: re-running it step by step with nn.LSTMCell gives the same beliefs."""
    net = emotion.EmotionNet(features.N_MELS, 4).eval()
    x = torch.randn(1, 12, features.N_MELS, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        full = net(x)
        h = x.unsqueeze(1)
        for conv in (net.conv1, net.conv2):
            h = torch.nn.functional.max_pool2d(torch.relu(conv(torch.nn.functional.pad(h, (1, 1, 2, 0)))), (1, 2))
        feats = h.permute(0, 2, 1, 3).reshape(1, 12, -1)
        cell = torch.nn.LSTMCell(feats.shape[-1], net.lstm.hidden_size)
        cell.weight_ih.copy_(net.lstm.weight_ih_l0)
        cell.weight_hh.copy_(net.lstm.weight_hh_l0)
        cell.bias_ih.copy_(net.lstm.bias_ih_l0)
        cell.bias_hh.copy_(net.lstm.bias_hh_l0)
        h_t = c_t = torch.zeros(1, net.lstm.hidden_size)
        for t in range(12):
            h_t, c_t = cell(feats[:, t], (h_t, c_t))
            torch.testing.assert_close(net.out(h_t), full[:, t])


def test_per_frame_probabilities_sum_to_one(record):
    clip = speech.act("I saw your sister at the station.", "angry", "m2", seed=5)
    probs = emotion.probabilities(record, features.log_mel(clip.audio, speech.SAMPLE_RATE))
    assert probs.shape == (features.n_frames(len(clip.audio)), len(emotion.CLASSES))
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    for p in record.test_probs:
        np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-5)


def test_trained_model_beats_chance_clearly(record):
    assert record.chance == 0.25
    assert record.accuracy >= record.chance + 0.25  # held-out speakers and sentences
    assert record.losses[-1] < 0.75 * record.losses[0]


def test_accuracy_numbers_match_the_recorded_beliefs(record):
    last = np.array([p[-1].argmax() for p in record.test_probs])
    assert record.accuracy == pytest.approx((last == record.test_labels).mean())
    assert len(record.test_labels) == len(speech.HELD_OUT_SENTENCES) * len(speech.HELD_OUT_SPEAKERS) * 4
    assert set(record.test_speakers) == set(speech.HELD_OUT_SPEAKERS)


def test_record_is_read_only(record):
    assert not record.net.training
    assert not any(p.requires_grad for p in record.net.parameters())


def test_corpus_is_the_same_for_the_same_seed():
    a = emotion.make_corpus(speech.HELD_OUT_SENTENCES[:2], speech.HELD_OUT_SPEAKERS, 1, seed=4)
    b = emotion.make_corpus(speech.HELD_OUT_SENTENCES[:2], speech.HELD_OUT_SPEAKERS, 1, seed=4)
    assert a.speakers == b.speakers and all(np.array_equal(x, y) for x, y in zip(a.frames, b.frames))


def test_held_out_clips_spoken_while_training_are_the_held_out_clips_and_progress_stays_on_the_caller():
    """train() speaks the held-out clips on a helper thread while the network trains: the beliefs it
    records are those of the clips made here in the usual way, and progress is reported on the caller's
    thread, step after step."""
    import threading

    cfg = emotion.EmotionConfig(repeats=1, epochs=2)
    calls = []
    rec = emotion.train(cfg, on_step=lambda step, total: calls.append((step, total, threading.get_ident())))
    test_set = emotion.make_corpus(speech.HELD_OUT_SENTENCES, speech.HELD_OUT_SPEAKERS, 1, cfg.seed + 7919,
                                   every_speaker=True)
    assert np.array_equal(rec.test_labels, test_set.labels) and rec.test_speakers == test_set.speakers
    for probs, frames in zip(rec.test_probs, test_set.frames, strict=True):
        np.testing.assert_allclose(probs, emotion.probabilities(rec, frames), atol=1e-6)
    total = rec.n_train + cfg.epochs
    assert calls == [(step, total, threading.get_ident()) for step in range(1, total + 1)]
    assert rec.net.conv2.weight.is_contiguous(memory_format=emotion.MEMORY_FORMAT)


def test_a_cancelled_emotion_training_leaves_nothing_speaking():
    """The training door cancels by raising from on_step: no helper thread may keep speaking after that."""
    import threading

    class Stop(Exception):
        pass

    def on_step(step, total):
        if step == total - 1:  # during the first epochs, while the held-out clips are being spoken
            raise Stop()

    with pytest.raises(Stop):
        emotion.train(emotion.EmotionConfig(repeats=1, epochs=3), on_step=on_step)
    assert not [t for t in threading.enumerate() if t.name.startswith("emotion-held-out")]
