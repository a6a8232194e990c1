""""What to notice" follows the numbers: each claim flips when the numbers behind it do."""

import numpy as np

from core.seq2seq import model as s2s
from ui import seq2seq as scenes


def search(width: int, greedy_lp: float, beam_lp: float, same: bool = True) -> s2s.BeamSearch:
    e = np.zeros(0)
    return s2s.BeamSearch(width, ("2026" if same else "2062",), np.array([beam_lp]), "2026", greedy_lp,
                          e.astype(int), e.astype(int), (), e, e.astype(bool), ())


def score(greedy: float, beam: float, width: int = 3) -> s2s.SearchScore:
    return s2s.SearchScore(200, greedy, (width,), (beam,), (0,), (0,))


def test_the_beam_notice_never_says_a_beam_can_only_help():
    better = scenes.beam_notice(search(3, -1.0, -0.5, same=False), score(0.90, 0.95))
    assert "more probable" in better and "10 more inputs" in better
    worse = scenes.beam_notice(search(3, -0.5, -1.0), score(0.95, 0.90))
    assert "less* probable" in worse and "10 fewer inputs" in worse and "not always the correct one" in worse
    equal = scenes.beam_notice(search(3, -0.5, -0.5), score(0.99, 0.99))
    assert "ends where greedy decoding does" in equal and "equally often" in equal
    one = scenes.beam_notice(search(1, -0.5, -0.5), score(0.99, 0.99, width=1))
    assert "*is* greedy decoding" in one
    assert not any("only help" in t for t in (better, worse, equal, one))


def curve(acc) -> s2s.LengthCurve:
    return s2s.LengthCurve(np.arange(3, 3 + len(acc)), np.array(acc, dtype=float), np.full(len(acc), 50))


def bottleneck(plain, attention) -> scenes.BottleneckScene:
    return scenes.BottleneckScene(curve(plain), curve(attention), 8, 32, None)


def test_the_bottleneck_notice_follows_the_curves():
    holds = scenes.bottleneck_notice(bottleneck([1, 1, .9, .6, .3, .1, 0, 0, 0, 0], [1, 1, 1, 1, 1, .95, .9, .9, .5, .4]))
    assert "C is full" in holds and "attention carries on much further" in holds
    neither = scenes.bottleneck_notice(bottleneck([1, 1, .9, .6, .3, .1, 0, 0, 0, 0], [1, 1, 1, 1, 1, .95, .1, .1, 0, 0]))
    assert "neither carries on" in neither
    alike = scenes.bottleneck_notice(bottleneck([1] * 10, [1] * 10))
    assert "C is full" not in alike and "fixed C gets 100%, attention 100%." in alike


def test_the_map_notice_says_when_the_colour_shows_no_structure():
    rng = np.random.default_rng(0)
    pts = rng.normal(size=(200, 2))
    proj = s2s.Projection(pts, np.eye(2), np.zeros(2), np.array([0.5, 0.3]))
    cmap = s2s.ContextMap(proj, tuple("x" * 200), {"year": 2 * pts[:, 0] + 0.01 * rng.normal(size=200),
                                                   "month": rng.normal(size=200)})
    assert "has structure" in scenes.map_notice(cmap, "year")
    assert "little structure" in scenes.map_notice(cmap, "month")
