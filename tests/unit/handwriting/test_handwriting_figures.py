"""The handwriting pictures draw exactly the numbers they are given."""

import numpy as np
import pytest

from core.handwriting import figures as F
from core.handwriting import strokes as S


def _ink(trace) -> np.ndarray:
    xs = np.array([np.nan if v is None else v for v in trace.x], float)
    ys = np.array([np.nan if v is None else v for v in trace.y], float)
    return np.stack([xs, ys], 1)


def test_pen_path_lifts_where_eos_says():
    off = S.render("of")
    fig = F.pen_replay(off, upto=len(off) - 1)
    ink = _ink(fig.data[1])
    assert np.isnan(ink[:, 0]).sum() == int(off[:, 2].sum())  # one gap per pen lift
    assert np.allclose(ink[~np.isnan(ink[:, 0])], np.cumsum(off[:, :2], 0), atol=1e-4)


def test_slide_has_one_line_per_row_stacked_top_down():
    rows = [S.render("more"), S.render("more", np.random.default_rng(0))]
    fig = F.slide(rows, ["font", "net"])
    assert len(fig.data) == 2
    y0, y1 = (np.nanmedian(_ink(t)[:, 1]) for t in fig.data)
    assert y0 > y1
    assert list(F.slide_table(rows, ["font", "net"], [0.0, 0.3])["pen lifts"]) == [int(r[:, 2].sum()) for r in rows]


def test_window_heatmap_is_characters_by_time():
    phi = np.random.default_rng(0).random((30, 4))
    fig = F.window_heatmap(phi, "more", upto=10)
    assert np.asarray(fig.data[0].z).shape == (4, 30)
    assert len(fig.data[0].y) == 4
    table = F.window_table(np.vstack([np.full((1, 4), np.nan), phi]), "more")
    assert (table["peak position"] == phi[table["pen point"] - 1].argmax(1)).all()


def test_loss_curve_carries_the_reference_line():
    steps = np.arange(1, 51)
    fig = F.loss_curve(steps, np.linspace(3, 1, 50), np.array([0, 25, 50]), np.array([3.0, 2.0, 1.5]), 2.4)
    assert any(s.y0 == 2.4 == s.y1 for s in fig.layout.shapes)
    table = F.loss_table(np.array([0, 25, 50]), np.array([3.0, 2.0, 1.5]), steps, np.linspace(3, 1, 50), 2.4)
    assert list(table["held-out NLL"]) == [3.0, 2.0, 1.5]


def test_density_heat_is_finite_where_a_float32_density_underflows():
    """A sharp (biased) density is exactly 0 in float32 away from its spike; the log heat stays finite there."""
    xs = ys = np.linspace(-5.0, 5.0, 11)
    Z = np.zeros((11, 11), np.float32)
    Z[5, 5] = 3.0
    fig = F.density_over_strokes(S.render("of"), 3, xs, ys, Z, 0.1)
    z = np.asarray(fig.data[0].z, float)
    assert np.isfinite(z).all() and z[5, 5] == np.log10(3.0)


def test_window_rows_have_room_for_projector_labels():
    """In presenter mode each character's row is at least as tall as its 20 px label (the slide's line:
    28 rows), so '␣' no longer touches the next row's label."""
    from ui.show import PRESENTER_FONT, for_projector

    text = "more of national temperament"
    fig = for_projector(F.window_heatmap(np.random.default_rng(0).random((50, len(text) + 1)), text))
    plot_height = fig.layout.height - fig.layout.margin.t - fig.layout.margin.b
    assert plot_height / len(text) >= 1.2 * PRESENTER_FONT


def test_slide_rows_never_run_into_each_other():
    """A scribble far taller than a line (an untrained network's) widens the gaps instead of crossing the
    next row; the font's own rows keep the usual spacing."""
    font = S.render("more of national")
    tall = font.copy()
    tall[5, 1], tall[6, 1] = 120.0, -240.0  # one stroke leaps up and far down
    for rows, stretched in (([font, font, font], False), ([font, tall, font], True)):
        fig = F.slide(rows, ["a", "b", "c"])
        spans = [(np.nanmin(_ink(t)[:, 1]), np.nanmax(_ink(t)[:, 1])) for t in fig.data]
        assert all(lo_above > hi_below for (lo_above, _), (_, hi_below) in zip(spans, spans[1:]))
        assert (fig.layout.height > 80 + 75 * 3) == stretched


def test_next_point_density_fills_a_readable_part_of_its_chart():
    """At bias 2 the next-point density is a narrow spike: its grid still spans at least a quarter of the
    chart's width (with the old 60-unit view it was a speck on a projector), and the view holds the pen's
    last point and the density's centre."""
    from core.handwriting import model as Mo

    rec = Mo.untrained(Mo.HandConfig(hidden=16, mixtures=2, window=2))
    w = Mo.write(rec, "of", bias=2.0, seed=0, max_points=40)[0]
    xy = np.cumsum(w.offsets[:, :2], axis=0)
    for t in (1, 10, len(w.offsets) - 1):
        xs, ys, Z, p_up = Mo.next_point_density(w, t)
        fig = F.density_over_strokes(w.offsets, t, xs, ys, Z, p_up)
        (x0, x1), (y0, y1) = fig.layout.xaxis.range, fig.layout.yaxis.range
        assert (xs[-1] - xs[0]) / (x1 - x0) >= 0.25
        for x, y in (xy[t - 1], ((xs[0] + xs[-1]) / 2, (ys[0] + ys[-1]) / 2)):
            assert x0 <= x <= x1 and y0 <= y <= y1


def test_a_narrow_density_gets_a_zoomed_panel_on_the_same_colour_scale():
    """A biased density (narrower than a pen step) is also drawn magnified beside the strokes, on a grid fitted
    to it: both heatmaps share one colour scale, the zoomed panel keeps x and y at the same scale, and its
    label says how much it magnifies."""
    import re

    from core.handwriting import model as Mo

    w = Mo.write(Mo.untrained(Mo.HandConfig(hidden=16, mixtures=1, window=2)), "of", bias=3.0, seed=0,
                 max_points=40)[0]  # one component: a narrow density (two far apart make a grid that holds both)
    xs, ys, Z, p_up = Mo.next_point_density(w, 5)
    zx, zy, zZ = Mo.next_point_density(w, 5, floor=1e-3)[:3]
    assert zx[-1] - zx[0] < (xs[-1] - xs[0]) / 3  # the fitted grid is the narrower one
    fig = F.density_over_strokes(w.offsets, 5, xs, ys, Z, p_up, zoom=(zx, zy, zZ))
    heats = [tr for tr in fig.data if tr.type == "heatmap"]
    assert len(heats) == 2 and heats[1].xaxis == "x2"
    assert heats[0].zmin == heats[1].zmin and heats[0].zmax == heats[1].zmax
    assert heats[0].zmax == pytest.approx(np.log10(max(Z.max(), zZ.max())))
    assert fig.layout.yaxis2.scaleanchor == "x2" and tuple(fig.layout.xaxis2.range) == (zx[0], zx[-1])
    mag = float(re.fullmatch(r"zoomed ×(\d+)", fig.layout.annotations[0].text).group(1))
    assert mag > 1
    plain = F.density_over_strokes(w.offsets, 5, xs, ys, Z, p_up)
    assert len([tr for tr in plain.data if tr.type == "heatmap"]) == 1 and "xaxis2" not in plain.layout
