"""The encoder–decoder lesson's scenes: trainings through the door, charts and results shared by the class.

Only this module holds trained models (``core.seq2seq.model.TrainedSeq2Seq``); the page gets frozen
dataclasses of arrays and Plotly figures. Every scene is memoised once for the whole class
(``ui.cache.shared``), keyed by its arguments: never change what it returns.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.common import beam as beam_lib  # noqa: F401  (the page shows its code)
from core.seq2seq import data as sd
from core.seq2seq import figures as figs
from core.seq2seq import model as s2s
from core.common.style import char_label
from ui.cache import shared
from ui.show import esc_label
from ui.train import run

SPECIAL_LABELS = {"<eos>": "⟨eos⟩", "<bos>": "⟨bos⟩", "<unk>": "⟨unk⟩", "<pad>": "⟨pad⟩"}
N_MAP = 300  # held-out inputs drawn in the map of C
N_SEARCH = 200  # held-out inputs on which greedy and beam search are compared
MAX_BEAM = 8  # the beam-width slider's top: the warm-up scores every width of the default model
DEFAULT = s2s.Seq2SeqConfig()


def show_tok(tok: str) -> str:
    """A token for a label: specials in angle quotes, whitespace made visible."""
    return SPECIAL_LABELS.get(tok, char_label(tok))


def step_labels(tokens) -> list[str]:
    return [f"{t + 1} · {show_tok(tok)}" for t, tok in enumerate(tokens)]


# ---- trainings (the door) ----------------------------------------------------------------------------


def _trained(cfg: s2s.Seq2SeqConfig, label: str = "Training encoder and decoder") -> s2s.TrainedSeq2Seq:
    return run(label, s2s.train, cfg, key=cfg)


def config(task: str, hidden: int, steps: int, teacher_forcing: float, seed: int) -> s2s.Seq2SeqConfig:
    """The page's settings as the training's config (everything else at its default)."""
    return s2s.Seq2SeqConfig(task=task, hidden_size=int(hidden), steps=int(steps),
                             teacher_forcing=float(teacher_forcing), seed=int(seed))


def record(cfg: s2s.Seq2SeqConfig) -> s2s.Record:
    """Train (or find) the model for these settings; the page gets its record, not the model."""
    return _trained(cfg).record


def second_input(rec: s2s.Record) -> str:
    """The default second input for interpolation: a held-out example."""
    return rec.sample[1][0]


@shared("scenes")
def training_chart(cfg: s2s.Seq2SeqConfig):
    rec = record(cfg)
    return figs.training_curves(rec.loss, rec.eval_steps, rec.exact_match, cfg.target)


def sample_table(rec: s2s.Record) -> pd.DataFrame:
    return pd.DataFrame({"input x": [s[0] for s in rec.sample], "target y": [s[1] for s in rec.sample],
                         "model output": [s[2] for s in rec.sample],
                         "right?": ["yes" if s[1] == s[2] else "no" for s in rec.sample]})


def input_problem(cfg: s2s.Seq2SeqConfig, x: str | None) -> str | None:
    """Why the encoder can't read x (for the student), or None."""
    try:
        s2s.check_input(_trained(cfg).data, x)
    except s2s.InputError as err:
        return str(err)
    return None


def signed(value: float) -> str:
    """A log-probability difference; width 1 is greedy, so it shows +0.000, not −0.000."""
    return f"{0.0 if abs(value) < 5e-4 else value:+.3f}"


# ---- section 1: the encoder ------------------------------------------------------------------------------


@dataclass(frozen=True)
class EncoderScene:
    enc: s2s.Encoding
    free: s2s.Decoding  # greedy decoding of x
    reference: str | None  # the correct output, if the app can work it out
    runner_up: str  # the decoder's second choice at step 1 (the default token to force)
    heatmap: object
    funnel: object


@shared("scenes")
def encoder_scene(cfg: s2s.Seq2SeqConfig, x: str) -> EncoderScene:
    tm = _trained(cfg)
    enc, free = s2s.encode(tm, x), decoding(cfg, x)
    runner_up = tm.data.tgt.token(int(np.argsort(-free.probs[0], kind="stable")[1]))
    if runner_up in ("<pad>", "<bos>", "<unk>"):
        runner_up = "<eos>"
    return EncoderScene(enc, free, sd.reference_target(cfg.task, x), runner_up,
                        figs.encoder_heatmap([esc_label(t) for t in enc.tokens], enc.states, enc.C),
                        figs.bottleneck([esc_label(c) for c in x], enc.C, [esc_label(c) for c in free.text]))


def states_table(enc: s2s.Encoding) -> pd.DataFrame:
    states = pd.DataFrame(enc.states, index=step_labels(enc.tokens),
                          columns=[f"u{j + 1}" for j in range(enc.states.shape[1])])
    states.loc["C"] = enc.C
    return states.round(3).reset_index(names="after")


def outputs_table(x: str, output: str, reference: str | None) -> pd.DataFrame:
    """Input and outputs as a table that wraps long strings (a metric would cut them off)."""
    right = "unknown" if reference is None else ("yes" if output == reference else "no")
    return pd.DataFrame({"input x": [x], "model output ŷ (greedy)": [output or "(empty)"],
                         "correct output y": [reference if reference is not None else "unknown"], "right?": [right]})


# ---- section 2: the decoder -------------------------------------------------------------------------------


@shared("scenes")
def decoding(cfg: s2s.Seq2SeqConfig, x: str, teacher: str | None = None,
             force: tuple[int, str] | None = None) -> s2s.Decoding:
    """Greedy decoding of x (free running, teacher-forced, or with one token forced)."""
    return s2s.decode(_trained(cfg), x, teacher=teacher, force=force)


@shared("scenes")
def topk_chart(cfg: s2s.Seq2SeqConfig, x: str, k: int, teacher: str | None = None,
               force: tuple[int, str] | None = None):
    """The decoder's top-k at each step: free running, teacher-forced, or continuing after a forced token."""
    shown = decoding(cfg, x, teacher, force)
    if force is not None:
        title = "After forcing: the decoder continues from the forced token (dashed)"
    elif teacher is not None:
        title = "Teacher forcing: each step is fed the correct previous token; the decoder's own choice outlined"
    else:
        title = "Free running: each step is fed the token it chose before (outlined)"
    vocab = [esc_label(show_tok(t)) for t in record(cfg).tgt_itos]
    return figs.decoder_topk([esc_label(show_tok(t)) for t in shown.prev_tokens],
                             [esc_label(show_tok(t)) for t in shown.tokens], shown.probs, vocab, k,
                             shown.forced_step, title=title)


def topk_table(run_: s2s.Decoding, itos: tuple[str, ...], k: int) -> pd.DataFrame:
    top = np.argsort(-run_.probs, axis=1, kind="stable")[:, :k]
    return pd.DataFrame({
        "step": np.arange(1, len(run_.tokens) + 1), "fed": [show_tok(t) for t in run_.prev_tokens],
        "chosen": [show_tok(t) for t in run_.tokens],
        **{f"#{r + 1}": [f"{show_tok(itos[top[t, r]])} {run_.probs[t, top[t, r]]:.4f}" for t in range(len(top))]
           for r in range(top.shape[1])},
    })


@dataclass(frozen=True)
class TeacherScene:
    tf: s2s.TeacherForcing
    labels: tuple[str, ...]
    chart: object
    first_slip: int  # first step (1-based) where free running fed a wrong token; 0 if none


@shared("scenes")
def teacher_scene(cfg: s2s.Seq2SeqConfig, x: str, y: str) -> TeacherScene:
    tf = s2s.teacher_forcing(_trained(cfg), x, y)
    labels = tuple(f"{t + 1} · {esc_label(show_tok(tok))}" for t, tok in enumerate(tf.y_tokens))
    slips = [t + 1 for t, (a, b) in enumerate(zip(tf.fed_teacher, tf.fed_free)) if a != b]
    if not slips and len(tf.fed_free) < len(tf.fed_teacher):
        slips = [len(tf.fed_free) + 1]  # free running stopped before the correct output did
    return TeacherScene(tf, labels, figs.teacher_vs_free(list(labels), tf.p_teacher, tf.p_free),
                        slips[0] if slips else 0)


def teacher_table(scene: TeacherScene) -> pd.DataFrame:
    tf = scene.tf
    return pd.DataFrame({
        "step · correct token": scene.labels, "fed (teacher forcing)": [show_tok(t) for t in tf.fed_teacher],
        "P(correct), teacher forcing": tf.p_teacher,
        "fed (free running)": [show_tok(tf.fed_free[t]) if t < len(tf.fed_free) else "(ended)"
                               for t in range(len(scene.labels))],
        "P(correct), free running": tf.p_free,
    }).round(4)


def teacher_notice(scene: TeacherScene) -> str:
    """What the teacher-forcing chart shows for this input, from its numbers."""
    tf = scene.tf
    if scene.first_slip == 0:
        return ("free running fed exactly the correct tokens here, so both bars agree at every step "
                f"(P(correct) ≥ {np.nanmin(tf.p_free):.2f}). Teacher forcing only differs after a first mistake: "
                "type a different correct output above, or force a token in section 4, to see one.")
    s = scene.first_slip
    after_t, after_f = tf.p_teacher[s - 1:], tf.p_free[s - 1:]
    ended = np.isnan(after_f).any()
    mean_f = np.nanmean(after_f) if not np.isnan(after_f).all() else 0.0
    return (f"free running first fed a token other than the correct one at step {s}. From there on, P(correct) "
            f"averages {np.mean(after_t):.2f} with teacher forcing and {mean_f:.2f} free running"
            + (" (free running stopped early: missing bars)" if ended else "")
            + ". The decoder was trained on true histories only; fed its own guess it is in a state it never saw "
            "(*exposure bias*).")


# ---- section 3: the space of meanings ----------------------------------------------------------------------


@shared("scenes")
def context_map(cfg: s2s.Seq2SeqConfig) -> s2s.ContextMap:
    return s2s.context_map(_trained(cfg), N_MAP)


@dataclass(frozen=True)
class InterpolationScene:
    interp: s2s.Interpolation
    path: np.ndarray  # (11, 2) where each C(α) lies on the map
    labels: tuple[str, ...]


@shared("scenes")
def interpolation_scene(cfg: s2s.Seq2SeqConfig, x: str, x_b: str) -> InterpolationScene:
    interp = s2s.interpolate(_trained(cfg), x, x_b, 11)
    path = context_map(cfg).projection.project(interp.Cs)
    path.flags.writeable = False
    return InterpolationScene(interp, path, tuple(f"α={a:.1f}: {esc_label(o)}" for a, o in zip(interp.alphas, interp.outputs)))


@shared("scenes")
def map_chart(cfg: s2s.Seq2SeqConfig, x: str, x_b: str | None, colour_by: str):
    """The map of C coloured by one property, your input's C, and the path to x_b's (None: no path)."""
    cmap = context_map(cfg)
    proj = cmap.projection
    here = proj.project(encoder_scene(cfg, x).enc.C)[0]
    path = interpolation_scene(cfg, x, x_b) if x_b is not None else None
    return figs.context_map(
        proj.points, cmap.properties[colour_by], colour_by, [esc_label(s) for s in cmap.sources], here,
        esc_label(x), None if path is None else path.path, None if path is None else list(path.labels),
        (f"PC 1 ({proj.explained[0]:.0%} of variance)", f"PC 2 ({proj.explained[1]:.0%})"),
        title=f"C of {len(cmap.sources)} held-out inputs (PCA, scikit-learn), coloured by {colour_by}")


def map_table(cmap: s2s.ContextMap) -> pd.DataFrame:
    return pd.DataFrame({"input": cmap.sources, **cmap.properties, "PC 1": cmap.projection.points[:, 0],
                         "PC 2": cmap.projection.points[:, 1]}).round(3)


def map_notice(cmap: s2s.ContextMap, name: str) -> str:
    r2 = s2s.property_fit(cmap, name)
    if r2 >= 0.5:
        return (f"coloured by {name}, the map has structure: a plane over the two axes explains {r2:.0%} of the "
                f"variance of {name} (R²), so inputs with similar {name} land near each other however they are written.")
    return (f"coloured by {name}, the map shows little structure: the two axes explain only {r2:.0%} of the variance "
            f"of {name} (R²). Try another property.")


def path_table(scene: InterpolationScene) -> pd.DataFrame:
    return pd.DataFrame({"α": scene.interp.alphas, "PC 1": scene.path[:, 0], "PC 2": scene.path[:, 1],
                         "decoded output": scene.interp.outputs}).round(3)


@dataclass(frozen=True)
class MovedScene:
    at: s2s.Decoding  # greedy decoding from C(α_i)
    dep: s2s.Dependence | None  # None when your output is empty or C has not moved
    labels: tuple[str, ...]
    chart: object | None


@shared("scenes")
def moved_scene(cfg: s2s.Seq2SeqConfig, x: str, x_b: str, i: int) -> MovedScene:
    """Decoding from C(α_i); and, fed your output's tokens, how likely each is with your C and with C(α_i)."""
    tm = _trained(cfg)
    interp = interpolation_scene(cfg, x, x_b).interp
    at = s2s.decode(tm, C=interp.Cs[i])
    if not decoding(cfg, x).text or interp.alphas[i] == 0:
        return MovedScene(at, None, (), None)
    dep = s2s.dependence_on_C(tm, x, interp.Cs[i])
    labels = tuple(f"{t + 1} · {esc_label(show_tok(tok))}" for t, tok in enumerate(dep.y_tokens))
    chart = figs.paired_bars(list(labels), dep.p_own, dep.p_moved, "your C", f"C(α = {interp.alphas[i]:.1f})",
                             "P(your output's token)", "output step · your output's token (same previous tokens fed)")
    return MovedScene(at, dep, labels, chart)


def dependence_table(scene: MovedScene, alpha: float) -> pd.DataFrame:
    return pd.DataFrame({"step · token": scene.labels, "P with your C": scene.dep.p_own,
                         f"P with C(α = {alpha:.1f})": scene.dep.p_moved}).round(4)


# ---- section 4: what-ifs -----------------------------------------------------------------------------------


def path_notice(interp: s2s.Interpolation) -> str:
    """What the interpolation path shows, from its decoded outputs: how many points between the two
    inputs' answers decode to something that is neither."""
    a, b, inner = interp.outputs[0], interp.outputs[-1], interp.outputs[1:-1]
    neither = [o for o in inner if o not in (a, b)]
    said = (f"Walk α from 0 to 1: the decoder, reading only C, turns “{a or '(empty)'}” into “{b or '(empty)'}”"
            if a != b else f"Both ends decode to “{a or '(empty)'}”")
    if not neither:
        return said + f"; every one of the {len(inner)} points between them decodes to one of the two."
    return (said + f"; {len(neither)} of the {len(inner)} points between them decode to an output that belongs "
            f"to neither, such as “{neither[0] or '(empty)'}”.")


def forced_notice(free: s2s.Decoding, pushed: s2s.Decoding) -> str:
    """What forcing one token did to the rest of the output, from the two runs on screen."""
    k = pushed.forced_step
    lead = "the decoder is a language model: after a forced token it continues as if it had chosen it"
    if k < len(free.tokens) and free.tokens[k] == pushed.tokens[k]:
        return lead + f". Here the forced token is the one it chose anyway at step {k + 1}, so nothing changes."
    text = lambda tokens: "".join(t for t in tokens if t not in sd.SPECIALS)  # noqa: E731 (as s2s.decode joins them)
    rest_free, rest_pushed = text(free.tokens[k + 1:]), text(pushed.tokens[k + 1:])
    if not rest_free and not rest_pushed:  # nothing to repair or rewrite: say why nothing follows
        if pushed.tokens[-1] != sd.EOS and k == len(pushed.tokens) - 1:
            return lead + (f". Here step {k + 1} is the last step the decoder may take, so nothing can follow the "
                           "forced token: the output is cut there.")
        return lead + ". Here nothing follows the forced token in either run: both outputs end there."
    if rest_free == rest_pushed:
        return lead + f". Here the rest is repaired: after step {k + 1} it writes “{rest_free}” as before."
    said = lead + f". Here it writes “{rest_pushed or '(nothing)'}” after step {k + 1} instead of “{rest_free or '(nothing)'}”"
    same_end = len(os.path.commonprefix([rest_free[::-1], rest_pushed[::-1]]))
    if same_end >= 2:
        return said + f", then gets back on track: both end in “{rest_free[-same_end:]}”."
    return said + ": one change rewrote what came after it."


def forced_table(greedy: str, forced: str, token: str, step: int) -> pd.DataFrame:
    return pd.DataFrame({"greedy output": [greedy or "(empty)"],
                         f"with “{show_tok(token)}” forced at step {step + 1}": [forced or "(empty)"]})


def written_table(run_: s2s.Decoding, itos: tuple[str, ...]) -> pd.DataFrame:
    stoi = {t: i for i, t in enumerate(itos)}
    return pd.DataFrame({"fed": [show_tok(t) for t in run_.prev_tokens], "written": [show_tok(t) for t in run_.tokens],
                         "p(written)": [run_.probs[t, stoi[tok]] for t, tok in enumerate(run_.tokens)]}).round(4)


@dataclass(frozen=True)
class BeamScene:
    search: s2s.BeamSearch
    tree: object


@shared("scenes")
def beam_scene(cfg: s2s.Seq2SeqConfig, x: str, width: int) -> BeamScene:
    """Beam search on x: the finished hypotheses and the tree of every node it tried."""
    search = s2s.beam_search(_trained(cfg), x, width)
    tree = figs.beam_tree(list(search.step), list(search.parent), [esc_label(show_tok(t)) for t in search.token],
                          list(search.score), list(search.kept), list(search.best_path))
    return BeamScene(search, tree)


def beam_tables(search: s2s.BeamSearch) -> list[pd.DataFrame]:
    return [
        pd.DataFrame({"output": search.outputs, "log p": search.log_probs, "p": np.exp(search.log_probs)}).round(4),
        pd.DataFrame({"step": search.step + 1, "token": [show_tok(t) for t in search.token],
                      "total log p": search.score, "kept": search.kept, "parent node": search.parent}).round(4),
    ]


def search_outputs_table(search: s2s.BeamSearch) -> pd.DataFrame:
    return pd.DataFrame({"decoding": ["greedy", f"beam (width {search.width})"],
                         "output": [search.greedy or "(empty)", search.outputs[0] or "(empty)"],
                         "log p": [round(search.greedy_log_prob, 3), round(float(search.log_probs[0]), 3)]})


def search_score_table(score: s2s.SearchScore) -> pd.DataFrame:
    return pd.DataFrame({"decoding": ["greedy"] + [f"beam (width {w})" for w in score.widths],
                         f"held-out exact match ({score.n} inputs)": [f"{score.greedy:.1%}"] + [f"{b:.1%}" for b in score.beam],
                         "output more probable than greedy's": ["—"] + [str(u) for u in score.beam_beats_greedy_logp],
                         "less probable than greedy's": ["—"] + [str(d) for d in score.beam_below_greedy_logp]})


def beam_notice(search: s2s.BeamSearch, score: s2s.SearchScore) -> str:
    """What the beam section shows, from its numbers: this input, then the held-out inputs."""
    gain = float(search.log_probs[0]) - search.greedy_log_prob
    w = search.width
    if w == 1:
        here = "width 1 keeps one hypothesis: it *is* greedy decoding, same output, same log p."
    elif gain > 5e-4:
        here = (f"on your input the beam found an output {gain:.3f} nats more probable than greedy's"
                + (" — a different one." if search.outputs[0] != search.greedy else "."))
    elif gain < -5e-4:
        here = (f"on your input the beam's best is {-gain:.3f} nats *less* probable than greedy's: the greedy path "
                "was pruned from the beam at some step (beam search is not exhaustive).")
    else:
        here = "on your input the beam ends where greedy decoding does."
    d = score.beam[0] - score.greedy
    n_diff = round(abs(d) * score.n)
    if w == 1:
        held = f"On {score.n} held-out inputs both are exactly right on {score.greedy:.1%}."
    elif n_diff == 0:
        held = (f"On {score.n} held-out inputs the beam and greedy decoding are exactly right equally often "
                f"({score.greedy:.1%}): greedy was already good enough here.")
    else:
        held = (f"On {score.n} held-out inputs the beam is exactly right on {n_diff} {'more' if d > 0 else 'fewer'} "
                f"input{'s' if n_diff > 1 else ''} than greedy ({score.beam[0]:.1%} against {score.greedy:.1%})"
                + ("." if d > 0 else ": a more probable output under the model is not always the correct one."))
    return here[0].upper() + here[1:] + " " + held


@shared("scenes")
def search_scores(cfg: s2s.Seq2SeqConfig, width: int) -> s2s.SearchScore:
    """Held-out exact match of greedy decoding and of a beam of this width, on N_SEARCH inputs."""
    return s2s.search_scores(_trained(cfg), (width,), N_SEARCH)


# ---- section 5: the bottleneck -----------------------------------------------------------------------------


@dataclass(frozen=True)
class BottleneckScene:
    plain: s2s.LengthCurve
    attention: s2s.LengthCurve
    max_train_len: int
    hidden_size: int
    chart: object


def bottleneck_configs(seed: int) -> tuple[s2s.Seq2SeqConfig, s2s.Seq2SeqConfig]:
    return s2s.bottleneck_config(False, seed), s2s.bottleneck_config(True, seed)


@shared("scenes")
def bottleneck_scene(seed: int) -> BottleneckScene:
    """Held-out exact match by input length, fixed C against attention."""
    plain_cfg, att_cfg = bottleneck_configs(seed)
    lp = s2s.accuracy_by_length(_trained(plain_cfg, "Training the plain encoder–decoder (fixed C)"))
    ap = s2s.accuracy_by_length(_trained(att_cfg, "Training the attention model"))
    chart = figs.accuracy_vs_length({"encoder–decoder (fixed C)": (lp.lengths, lp.exact_match),
                                     "with attention": (ap.lengths, ap.exact_match)}, plain_cfg.max_train_len)
    return BottleneckScene(lp, ap, plain_cfg.max_train_len, plain_cfg.hidden_size, chart)


def _mean_at(curve: s2s.LengthCurve, lo: int, hi: int) -> float:
    sel = (curve.lengths >= lo) & (curve.lengths <= hi)
    return float((curve.exact_match[sel] * curve.counts[sel]).sum() / max(curve.counts[sel].sum(), 1))


def bottleneck_intro(scene: BottleneckScene, page_hidden: int) -> str:
    same = "the same size as" if scene.hidden_size == page_hidden else "not the size chosen"
    return (
        "A fixed-size C must hold the whole input. To see where that breaks, two *separate* models learn to "
        "**reverse** strings of random letters (every input letter must reach the output), trained only on inputs "
        f"of **at most {scene.max_train_len} letters** and tested on lengths {scene.plain.lengths[0]}–"
        f"{scene.plain.lengths[-1]}: a plain encoder–decoder like the one above, and a **Bahdanau attention** "
        "variant whose decoder, at each step, mixes *all* encoder states $h_i$ with weights $\\alpha_{ti}$ instead "
        f"of reading only C. Both have a C of {scene.hidden_size} numbers ({same} above: the size-of-C slider does "
        "not change them; the seed does)."
    )


def bottleneck_notice(scene: BottleneckScene) -> str:
    """What the length chart shows, from its numbers."""
    L = scene.max_train_len
    lo = int(scene.plain.lengths[0])
    short_p, short_a = _mean_at(scene.plain, lo, lo + 2), _mean_at(scene.attention, lo, lo + 2)
    edge_p, edge_a = _mean_at(scene.plain, L - 1, L), _mean_at(scene.attention, L - 1, L)
    past_p, past_a = _mean_at(scene.plain, L + 1, 99), _mean_at(scene.attention, L + 1, 99)
    parts = [f"on the shortest inputs (n_x = {lo}–{lo + 2}) the fixed-C model is exactly right on {short_p:.0%}, "
             f"attention on {short_a:.0%}."]
    parts.append(f"At the longest training lengths (n_x = {L - 1}–{L}) fixed C gets {edge_p:.0%}, attention {edge_a:.0%}"
                 + (": C is full before the lengths run out, attention reads each letter where it is." if edge_a - edge_p >= 0.2
                    else "."))
    parts.append(f"Past the training lengths (shaded) fixed C gets {past_p:.0%} and attention {past_a:.0%}"
                 + ("; attention carries on much further." if past_a - past_p >= 0.2 else
                    "; neither carries on: attention removes the bottleneck, not the need to have seen such lengths."
                    if past_a < 0.5 else "."))
    return " ".join(parts)


def length_table(scene: BottleneckScene) -> pd.DataFrame:
    lp, ap = scene.plain, scene.attention
    return pd.DataFrame({"n_x": lp.lengths, "held-out inputs": lp.counts, "fixed C": lp.exact_match,
                         "attention": ap.exact_match}).round(3)


@dataclass(frozen=True)
class ReversalScene:
    plain: s2s.Decoding
    attention: s2s.Decoding
    out_tokens: tuple[str, ...]
    chart: object


@shared("scenes")
def reversal_scene(seed: int, rx: str) -> ReversalScene:
    """Both bottleneck models reversing one string, and where the attention model looked."""
    plain_cfg, att_cfg = bottleneck_configs(seed)
    d_plain = s2s.decode(_trained(plain_cfg, "Training the plain encoder–decoder (fixed C)"), rx)
    d_att = s2s.decode(_trained(att_cfg, "Training the attention model"), rx)
    out = tuple(show_tok(t) for t in d_att.tokens)
    chart = figs.attention_heatmap(d_att.attention, [esc_label(c) for c in rx], [esc_label(t) for t in out],
                                   title="Attention weights α_ti for your string")
    return ReversalScene(d_plain, d_att, out, chart)


def reversal_problem(rx: str) -> str | None:
    bad = sorted({c for c in rx if c not in "abcdefghijklmnopqrstuvwxyz"})
    if not rx:
        return "Type a few lowercase letters."
    if bad:
        return f"These models only know the letters a–z; not {', '.join(repr(c) for c in bad)}."
    if len(rx) > 20:
        return "At most 20 letters: the models never saw anything longer than 14."
    return None


def reversal_table(rx: str, scene: ReversalScene) -> pd.DataFrame:
    return pd.DataFrame({"model": ["correct", "fixed C", "attention"],
                         "output": [rx[::-1], scene.plain.text or "(empty)", scene.attention.text or "(empty)"],
                         "right?": ["—", "yes" if scene.plain.text == rx[::-1] else "no",
                                    "yes" if scene.attention.text == rx[::-1] else "no"]})


def attention_table(scene: ReversalScene, rx: str) -> pd.DataFrame:
    return pd.DataFrame(scene.attention.attention, index=step_labels(scene.out_tokens),
                        columns=step_labels(list(rx))).round(3).reset_index(names="output step")


# ---- warm-up -------------------------------------------------------------------------------------------------


def warm() -> None:
    """The default scene, section by section, as a first student opens it."""
    cfg = DEFAULT
    x, x_b = sd.TASKS[cfg.task].example_in, second_input(record(cfg))
    scene = encoder_scene(cfg, x)
    topk_chart(cfg, x, 5)
    if scene.reference:
        teacher_scene(cfg, x, scene.reference)
    map_chart(cfg, x, x_b, next(iter(context_map(cfg).properties)))
    moved_scene(cfg, x, x_b, 5)
    for width in range(1, MAX_BEAM + 1):  # about 1 s each: a class tries every width in the first minute
        beam_scene(cfg, x, width)
        search_scores(cfg, width)
    bottleneck_scene(0)
    reversal_scene(0, "attention")
