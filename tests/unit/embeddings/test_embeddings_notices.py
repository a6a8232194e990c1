""""What to notice" follows the numbers on screen: settings that flip each claim flip the sentence."""

import numpy as np
import pytest

from core.embeddings import bank as B
from core.embeddings import vectors as E


@pytest.fixture(scope="module")
def glove():
    return E.load_glove()


def picture(glove, a, b, c):
    return E.analogy_picture(glove, a, b, c, E.analogy(glove, a, b, c, 5))


def test_arrows_claim_follows_the_picture(glove):
    good = picture(glove, "man", "king", "woman")
    assert good.angle_2d < 20 and "nearly parallel" in E.arrows_claim(good)
    # Build a picture whose arrows are far from parallel: the sentence must say so.
    bad = E.AnalogyPicture(good.words, np.array([[0, 0], [1, 0], [0, 1], [0, 2], [1, 1]], float), good.variance,
                           90.0, 1.0, 0.1, 50)
    assert "not parallel" in E.arrows_claim(bad) and "nearly parallel" not in E.arrows_claim(bad)


def test_arrows_claim_numbers_are_the_pictures(glove):
    pic = picture(glove, "france", "paris", "italy")
    ab, cd = pic.xy[1] - pic.xy[0], pic.xy[3] - pic.xy[2]
    angle = np.degrees(np.arccos(ab @ cd / np.linalg.norm(ab) / np.linalg.norm(cd)))
    assert f"{angle:.0f}° apart" in E.arrows_claim(pic)


def test_map_notice_says_whether_groups_separate():
    groups = ["a"] * 4 + ["b"] * 4
    apart = np.array([[0, 0], [0, 1], [1, 0], [1, 1], [10, 10], [10, 11], [11, 10], [11, 11]], float)
    mixed = np.array([[0, 0], [2, 0], [4, 0], [6, 0], [1, 0], [3, 0], [5, 0], [7, 0]], float)  # interleaved
    assert "separate clusters" in E.map_notice(apart, groups, "pca")
    assert "separate clusters" not in E.map_notice(mixed, groups, "pca")
    assert "keep neighbours, not distances" in E.map_notice(apart, groups, "tsne")


def test_bank_notice_leans_to_the_nearer_centre():
    left = E.Between(("bank",), np.array([0.0]), np.array([0.8]), np.array([0.3]))
    right = E.Between(("bank",), np.array([0.0]), np.array([0.3]), np.array([0.8]))
    assert "leaning to the money sense" in E.bank_notice(left)
    assert "leaning to the river sense" in E.bank_notice(right)


def states(same, diff):
    z = np.zeros((2, 2))
    return B.BankStates(("a", "b"), ("money", "river"), (), z, np.zeros(2), ("bank",), ("“bank”",), z[:1], same,
                        diff, ((), ()), ((), ()), np.zeros(3), 1.0)


def test_states_notice_follows_the_two_cosines():
    assert "sit together" in B.states_notice(states(0.4, -0.4))
    assert "do not separate" in B.states_notice(states(0.0, 0.05))


def test_warm_notice_follows_the_curves():
    steps = np.array([0, 10, 20])
    cfg = B.WarmStartConfig()
    helps = B.WarmStart(cfg, B.INPUTS, steps, np.array([[0.7, 0.5, 0.45], [0.7, 0.55, 0.5], [0.7, 0.68, 0.69]]),
                        np.full((3, 3), 0.7), np.log(2), 1.0)
    level = B.WarmStart(cfg, B.INPUTS, steps, np.array([[0.7, 0.6, 0.6]] * 3), np.full((3, 3), 0.7), np.log(2), 1.0)
    hurts = B.WarmStart(cfg, B.INPUTS, steps, np.array([[0.7, 0.69, 0.69]] * 2 + [[0.7, 0.5, 0.4]]),
                        np.full((3, 3), 0.7), np.log(2), 1.0)
    assert "nats below random" in B.warm_notice(helps) and "0.45 nats" in B.warm_notice(helps)
    assert "about level" in B.warm_notice(level)
    assert "random start does better" in B.warm_notice(hurts)
