"""The Inside page's gradient check: backpropagation against central differences, per
layer and parameter, on the current architecture (nnlab.core.gradcheck) — and the same check
with backward broken on purpose, on a throw-away copy, to show what a failure looks like."""
import pandas as pd
import streamlit as st

from nnlab.core import gradcheck, hyperparams
from pages.helpers import controls, inside_view, state

N_EXAMPLES = 8  # a small batch: the check evaluates the loss four times per entry


def _setup(net, data):
    """(NetworkConfig, l2, l1, what) to check: the model's architecture and regularisation,
    or (no model) the network the Train page's controls describe; None if they do not work."""
    if net is not None:
        train = st.session_state.train_config or {}
        return (net.config, float(train.get("l2") or 0.0), float(train.get("l1") or 0.0),
                "this model's architecture, with fresh random weights (never your model's)")
    try:
        net_cfg, train_cfg = controls.build_configs(controls.read_controls(data), data)
    except ValueError:
        return None
    return net_cfg, train_cfg.l2, train_cfg.l1, "the network set up on **Train**, with random weights"


def _describe(config, l2, l1) -> str:
    """The architecture as the controls name it: "64-128-64-10, ReLU, cross-entropy, L2 0.1"."""
    label = lambda name, value: hyperparams.get(name).label_of(value)  # noqa: E731
    acts = sorted(set(config.activations), key=config.activations.index)
    parts = ["-".join(str(s) for s in config.sizes), ", ".join(label("activations", a) for a in acts) or
             "no hidden layer", label("loss", config.loss)]
    parts += [f"{name} {value:g}" for name, value in (("L2", l2), ("L1", l1)) if value]
    return ", ".join(parts)


def _run(key, config, X, y, l2, l1, broken):
    result = gradcheck.check_architecture(config, X, y, l2=l2, l1=l1, broken=broken)
    checks = st.session_state.inside_check
    if checks is None or checks["key"] != key:
        checks = st.session_state.inside_check = {"key": key}
    checks["broken" if broken else "correct"] = result


def check_ui(net, data=None):
    st.subheader("Gradient check")
    data = data or state.current_data()
    setup = _setup(net, data)
    if setup is None:
        st.caption("The controls on **Train** do not describe a network that works; fix them there to check it.")
        return
    config, l2, l1, what = setup
    X = data.X_val[:N_EXAMPLES] if len(data.X_val) else data.X_test[:N_EXAMPLES]
    y = data.y_val[:N_EXAMPLES] if len(data.y_val) else data.y_test[:N_EXAMPLES]
    st.markdown(f"Is backpropagation right? Backward computes every gradient in one pass; the check recomputes "
                f"them the slow, sure way — nudge one weight by ±h, watch the loss — and compares. It runs on "
                f"{what}: {_describe(config, l2, l1)}; in float64, dropout off, on {len(X)} examples.")
    inside_view.formulas(
        r"g_{\text{num}} = \frac{8\,[L(\theta+h)-L(\theta-h)] - [L(\theta+2h)-L(\theta-2h)]}{12\,h}",
        r"\text{error} = \frac{|g_{\text{backprop}} - g_{\text{num}}|}{|g_{\text{backprop}}| + |g_{\text{num}}|}")
    key = repr((config.to_dict(), l2, l1, data.name))
    args = (key, config, X, y, l2, l1)
    c1, c2 = st.columns(2)
    c1.button("Check backpropagation", type="primary", icon=":material/fact_check:", on_click=_run,
              args=(*args, False), key="inside_check_run", width="stretch")
    c2.button("Break backward on purpose, then check", icon=":material/bug_report:", on_click=_run,
              args=(*args, True), key="inside_check_break", width="stretch",
              help="On a copy: one activation's derivative is left out, the classic slip. Your model is not touched.")
    checks = st.session_state.inside_check
    if checks is None or checks["key"] != key:
        st.caption("Press a button to run the check (about a second).")
        return
    for kind in ("correct", "broken"):
        if kind in checks:
            result_ui(checks[kind])


def result_ui(result):
    rows = result["rows"]
    bad = [f"{r['layer']} {r['param']}" for r in rows if not r["ok"]]
    worst = max(r["max_rel_error"] for r in rows)
    if result["broken"]:
        st.markdown(f"**Backward broken on purpose:** {result['broken']}.")
    if not bad:
        st.success(f"**Pass**: every row is below {gradcheck.THRESHOLD:g} (largest {worst:.1e}). Backpropagation "
                   "and the numbers agree to about as many digits as float64 and the ±h nudges allow: backward is "
                   "right.", icon=":material/check_circle:")
    else:
        where = " (here: the broken derivative)" if result["broken"] else ""
        st.error(f"**Fail** in {', '.join(bad)}: errors far above {gradcheck.THRESHOLD:g} mean backward computes "
                 "something else than the derivative of the loss. The failing rows point to the bug: it sits "
                 f"where their gradient passes on its way down from the loss{where}; rows whose gradient does "
                 "not pass there still pass.", icon=":material/error:")
    table = pd.DataFrame([{"Layer": r["layer"], "Parameter": r["param"], "Entries": f"{r['entries']:,}",
                           "Checked": f"{r['checked']:,}", "At a kink": f"{r['at_kinks']:,}",
                           "Max relative error": f"{r['max_rel_error']:.1e}",
                           "Result": "pass" if r["ok"] else "FAIL"} for r in rows])
    st.table(table.set_index("Layer"))
    notes = []
    if any(r["checked"] < r["entries"] for r in rows):
        notes.append(f"Arrays of more than {result['max_checks']} entries are checked on {result['max_checks']} of "
                     "them, chosen at random: each entry costs four evaluations of the loss, and a sample keeps "
                     "the check to about a second on any network.")
    if any(r["at_kinks"] for r in rows):
        notes.append("*At a kink*: entries left out because nudging them switched a ReLU unit on or off, where "
                     "the loss has a corner and no derivative to compare with.")
    notes.append(f"Gradients smaller than {result['floor']:.0e} are measured against {result['floor']:.0e} "
                 "instead of their own size: the numerical derivative's rounding noise (ε·|L|/h) is about "
                 f"{result['floor'] * gradcheck.THRESHOLD:.0e}, and the first layers of a deep sigmoid network have "
                 "gradients that small.")
    st.caption(" ".join(notes))
