"""Show and Tell in miniature: data, conditioning on the image, decoding, scores."""

import math

import numpy as np
import pytest
import torch

from core.applications import captioning as cap
from core.applications.rng import build
from core.common.beam import greedy

SMALL = cap.CaptionConfig(n_train=1000, n_heldout=120, epochs=10, seed=0, image_at="every")  # the quick learner


@pytest.fixture(scope="module")
def run():
    return cap.train(SMALL)


def test_same_seed_same_pictures_and_captions():
    a, b = cap.make_dataset(20, seed=3), cap.make_dataset(20, seed=3)
    assert np.array_equal(a.images, b.images) and a.captions == b.captions
    c = cap.make_dataset(20, seed=4)
    assert not np.array_equal(a.images, c.images)


def test_captions_follow_the_layout():
    """The named-first shape is the top one (above) or the left one (left of)."""
    rng = np.random.default_rng(0)
    scene = cap.compose("circle", "red", "above", "square", "blue")
    img = cap.render(scene, rng, noise=0.0)
    red = np.argwhere(np.all(np.isclose(img, cap.COLOURS["red"]), axis=-1))
    blue = np.argwhere(np.all(np.isclose(img, cap.COLOURS["blue"]), axis=-1))
    assert red[:, 0].mean() < blue[:, 0].mean()  # red is higher up
    assert scene.caption() == "a red circle above a blue square"
    left = cap.compose("circle", "red", "right of", "square", "blue")  # swapped: blue square is on the left
    assert left.caption() == "a blue square left of a red circle"
    img = cap.render(left, rng, noise=0.0)
    red = np.argwhere(np.all(np.isclose(img, cap.COLOURS["red"]), axis=-1))
    blue = np.argwhere(np.all(np.isclose(img, cap.COLOURS["blue"]), axis=-1))
    assert blue[:, 1].mean() < red[:, 1].mean()


def test_teacher_forcing_shifts_by_one():
    x, y = cap.teacher_forcing(("a red circle",))
    assert x[0, :4].tolist() == [cap.BOS] + cap.encode_caption("a red circle")
    assert y[0, :4].tolist() == cap.encode_caption("a red circle") + [cap.EOS]
    assert (x[0, 4:] == cap.PAD).all() and (y[0, 4:] == cap.PAD).all()


def test_untrained_decoder_is_near_uniform():
    """Before training no word is favoured much: the loss is close to ln V."""
    model = build(lambda: cap.CaptionNet(), torch.Generator().manual_seed(0))
    data = cap.make_dataset(50, seed=1)
    x, y = cap.teacher_forcing(data.captions)
    with torch.no_grad():
        logits = model(torch.from_numpy(data.images), x)
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, len(cap.ITOS)), y.reshape(-1), ignore_index=cap.PAD)
    assert abs(float(loss) - math.log(len(cap.ITOS))) < 0.3


def test_training_learns_far_better_than_chance(run):
    assert run.heldout_loss < 0.5 * math.log(len(cap.ITOS))
    # 0.73 nats is what a caption model that ignores the picture reaches (the words' own statistics)
    assert run.heldout_loss < 0.6
    assert run.scores["greedy"]["BLEU"] > 50
    assert run.scores["greedy"]["exact match %"] > 20


def test_caption_depends_on_the_image(run):
    """A different picture, same decoder: the softmax over the colour word moves to the new colour."""
    rng = np.random.default_rng(0)
    red = cap.describe(run.model, cap.render(cap.compose("circle", "red", "alone", "circle", "red"), rng), 1)
    blue = cap.describe(run.model, cap.render(cap.compose("circle", "blue", "alone", "circle", "red"), rng), 1)
    assert not np.allclose(red.context, blue.context)
    p_red, p_blue = red.word_probs[1], blue.word_probs[1]  # step 2: the colour word after "a"
    assert 0.5 * np.abs(p_red - p_blue).sum() > 0.5  # total-variation distance
    assert p_red[cap.STOI["red"]] > p_red[cap.STOI["blue"]]
    assert p_blue[cap.STOI["blue"]] > p_blue[cap.STOI["red"]]


def test_word_probs_are_softmaxes_along_the_greedy_path(run):
    d = cap.describe(run.model, run.heldout.images[0], 3)
    assert np.allclose(d.word_probs.sum(axis=1), 1, atol=1e-5)
    chosen = list(d.greedy_ids) + [cap.EOS]
    assert d.word_probs.argmax(axis=1).tolist() == chosen
    assert math.isclose(float(np.log(d.word_probs[np.arange(len(chosen)), chosen]).sum()), d.greedy_log_prob, abs_tol=1e-4)


def test_batched_greedy_equals_core_beam_greedy(run):
    images = run.heldout.images[:25]
    batched = cap.greedy_batch(run.model, images)
    for img, caption in zip(images, batched):
        C = run.model.encode(torch.from_numpy(img)[None])
        ids, _ = greedy(run.model.step, run.model.start(C), cap.BOS, cap.EOS, cap.MAX_LEN)
        assert cap.decode_caption(ids) == caption


def test_beam_never_less_probable_than_greedy(run):
    for img in run.heldout.images[:15]:
        d = cap.describe(run.model, img, 4)
        assert d.beam[0][1] >= d.greedy_log_prob - 1e-4
        assert cap.describe(run.model, img, 1).beam[0][0] == d.greedy


def test_scores_against_known_values():
    refs = ["a red circle", "a blue square above a green triangle"]
    perfect = cap.caption_scores(refs, refs)
    assert perfect["exact match %"] == 100 and math.isclose(perfect["BLEU"], 100) and math.isclose(perfect["BLEU-1"], 100)
    half = cap.caption_scores(["a red circle", "a red circle"], refs)
    assert half["exact match %"] == 50 and half["BLEU"] < 100


def test_same_seed_same_numbers():
    cfg = cap.CaptionConfig(n_train=200, n_heldout=20, epochs=1, seed=5)
    a, b = cap.train(cfg), cap.train(cfg)
    assert np.array_equal(a.loss, b.loss) and a.heldout_loss == b.heldout_loss
    assert a.greedy_captions == b.greedy_captions


@pytest.mark.parametrize("image_at", cap.IMAGE_AT)
def test_teacher_forced_logits_equal_the_step_by_step_decoder(image_at):
    """forward() (training) and start() + step() (writing) compute the same decoder."""
    model = build(lambda: cap.CaptionNet(image_at=image_at), torch.Generator().manual_seed(1)).eval()
    data = cap.make_dataset(4, seed=2)
    x, _ = cap.teacher_forcing(data.captions)
    with torch.no_grad():
        images = torch.from_numpy(data.images)
        logits = model(images, x).log_softmax(-1)  # (B, T, V)
        state = model.start(model.encode(images))
        for t in range(x.shape[1]):
            log_probs, state = model.step(x[:, t], state)
            assert torch.allclose(log_probs, logits[:, t], atol=1e-5)


def test_show_and_tell_sees_the_image_once_and_the_what_if_at_every_step():
    data = cap.make_dataset(3, seed=4)
    prev = torch.full((3,), cap.BOS)
    for image_at, reads_c_later in (("first", False), ("every", True)):
        model = build(lambda: cap.CaptionNet(image_at=image_at), torch.Generator().manual_seed(0)).eval()
        with torch.no_grad():
            C = model.encode(torch.from_numpy(data.images))
            h, _ = model.start(C)
            with_c, _ = model.step(prev, (h, C))
            without_c, _ = model.step(prev, (h, torch.zeros_like(C)))
        assert torch.equal(with_c, without_c) != reads_c_later, image_at
    first = cap.CaptionNet(image_at="first")
    assert first.lstm.input_size == first.embed.embedding_dim  # C is fed like a word: x₋₁ = C


def test_object_labels_name_what_the_caption_says():
    assert cap.objects("a red circle") == [0, list(cap.COLOURS).index("red"), cap.SHAPES.index("circle"), 0, 0]
    labels = cap.objects("a blue square left of a green triangle")
    assert [cap.SLOTS[k][i] for k, i in enumerate(labels)] == ["left", "blue", "square", "green", "triangle"]
