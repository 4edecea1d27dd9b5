"""Sweep: the Train page's setup trained for several values of one setting (or
a grid of two), several seeds each, in parallel (joblib, or a Dask cluster);
results arrive live; the best value is retrained and tested, and can be loaded
into the Train page.  The work is nnlab/experiments/sweep.py's; this page draws it."""
import os
import time

import pandas as pd
import streamlit as st

from nnlab.core import hyperparams
from nnlab.experiments import sweep
from nnlab.viz import figures_runs
from pages.helpers import common, controls, errors, room_join, room_post, share, state

SUGGESTED = {"l2": "logspace:-2:2:10", "l1": "logspace:-4:0:5", "lr": "logspace:-3:0:7",
             "dropout": "0,0.1,0.2,0.3,0.5", "epochs": "50,100,200,400", "batch_size": "16,32,64,128",
             "hidden": "16,64,64-32,128-64", "momentum": "0,0.5,0.9,0.99", "patience": "0,5,10,20"}
TUTORIAL = {"preset": "tutorial", "param": "l2", "values": "logspace:-2:2:10"}


def _default_values(param: str) -> str:
    s = hyperparams.get(param)
    if param in SUGGESTED:
        return SUGGESTED[param]
    if s.choices:
        return ",".join(str(c) for c in s.choices if c is not None)
    return ",".join(str(v) for v in s.values[:5]) if s.values else ""


def _set_param(key):
    st.session_state[f"sweep_values_{key}"] = _default_values(st.session_state[f"sweep_param_{key}"])


def _tutorial(data):
    """One click: the Train page's controls get the first tutorial's setup, the sweep its λ range."""
    controls.apply_preset(TUTORIAL["preset"], data)
    st.session_state.sweep_param_1 = TUTORIAL["param"]
    st.session_state.sweep_values_1 = TUTORIAL["values"]
    st.session_state.sweep_param_2 = "(none)"
    st.session_state.sweep_seeds = 1
    st.session_state.lesson = st.session_state.lesson_before = None  # the controls no longer hold a lesson's setup


def _load_best(best: dict, data):
    """Put the best setting into the Train page's controls (the nearest value each control offers)."""
    current = controls.read_controls(data)
    settings = {k: v for k, v in current.items() if k in hyperparams.BY_NAME}
    settings.update({k: v for k, v in best.items() if k in hyperparams.BY_NAME})
    for key, value in controls.widget_values(settings).items():
        st.session_state[controls.K + key] = value


def axis_label(param: str) -> str:
    """The setting's label with its name once: "Learning rate (lr)", "β1 (beta1)",
    "ε (eps)" (a label that already names itself in brackets gets the name there)."""
    if param == "(none)":
        return param
    label = hyperparams.get(param).label
    return f"{label.split(' (')[0]} ({param})"


def axis_ui(n: int):
    names = sweep.SWEEPABLE if n == 1 else ["(none)", *sweep.SWEEPABLE]
    st.session_state.setdefault(f"sweep_param_{n}", "l2" if n == 1 else "(none)")  # the tutorial's λ first
    c1, c2 = st.columns([1, 2])
    param = c1.selectbox(f"Setting {n}" if n > 1 else "Setting", names, key=f"sweep_param_{n}",
                         format_func=axis_label,
                         on_change=_set_param, args=(n,), help="Any setting of the Train page (the settings table).")
    if param == "(none)":
        return None, None
    st.session_state.setdefault(f"sweep_values_{n}", _default_values(param))
    values = c2.text_input("Values", key=f"sweep_values_{n}",
                           help="logspace:-2:2:10 (10⁻² … 10², 10 values), linspace:0.1:1:10, or a list 0.1,1,10; "
                                "names for choices (relu,sigmoid); widths like 64-32 for hidden.")
    return param, values


def run_ui(data, net_cfg, train_cfg, axes, seeds, n_jobs, scheduler):
    """Run the sweep, drawing each result as it arrives.  Stop (or a click on anything)
    ends this script run; joblib then cancels the runs that have not started, and
    `sweep_running` still set tells the next run that the sweep was stopped."""
    runs = sweep.plan(net_cfg, train_cfg, axes, seeds)
    st.session_state.sweep_results, st.session_state.sweep_best = [], None
    st.session_state.sweep_axes = {k: list(v) for k, v in axes.items()}
    st.session_state.sweep_running = len(runs)
    stop = st.empty()  # cleared when the sweep ends
    stop.button("Stop", icon=":material/stop:", key="sweep_stop",
                help="Cancel the runs that have not started; the finished ones stay.")
    bar = st.progress(0.0, text=f"0 of {len(runs)} runs…")
    chart, table = st.empty(), st.empty()
    started = time.perf_counter()
    try:
        for r in sweep.run(data, net_cfg, train_cfg, axes, seeds, n_jobs=n_jobs, scheduler=scheduler or None):
            st.session_state.sweep_results.append(r)
            done = len(st.session_state.sweep_results)
            bar.progress(done / len(runs), text=f"{done} of {len(runs)} runs · {time.perf_counter() - started:.1f} s")
            results_ui(chart, table, axes, st.session_state.sweep_results, live=True)
    except Exception:  # failed (bad address, a worker died): no Stop, no stale progress; the caller says why
        for live in (stop, bar, chart, table):  # the finished runs are drawn again below the error
            live.empty()
        raise
    st.session_state.sweep_running = None
    stop.empty()
    best = sweep.best(st.session_state.sweep_results, axes)
    with st.spinner("Training the best setting again and testing it…"):
        st.session_state.sweep_best = sweep.retrain_best(data, net_cfg, train_cfg, best, axes, seed=seeds[0])
    room_post.said_ui(room_post.sweep_best(st.session_state.sweep_best, axes, controls.read_controls(data),
                                           data.name))  # a room gets the sweep's best
    for live in (bar, chart, table):  # the results are drawn once more below, with the best
        live.empty()


def results_ui(chart, table, axes, results, live=False):
    rows = sweep.summary(results, axes)
    params = list(axes)
    best = sweep.best(results, axes) if results else None
    if len(params) == 1:
        p = params[0]
        log = hyperparams.get(p).log or all(isinstance(v, float) and v > 0 for v in axes[p]) and \
            max(axes[p]) / min(axes[p]) >= 100
        chart.plotly_chart(figures_runs.sweep_figure(rows, p, log_x=log, best=best),
                           key=None if live else "sweep_chart",
                           config={"displayModeBar": False})
    else:
        chart.plotly_chart(figures_runs.sweep_grid_figure(rows, *params), key=None if live else "sweep_grid",
                           config={"displayModeBar": False})
    df = pd.DataFrame(rows)
    for c in ("val_accuracy_mean", "val_accuracy_std"):
        df[c] = (100 * df[c]).round(2)
    table.dataframe(df.rename(columns={"val_accuracy_mean": "validation accuracy % (mean)",
                                       "val_accuracy_std": "± (std over seeds)"}), hide_index=True)


def sweep_page():
    common.frame(notices=False)
    share.title_ui("Sweep", "sweep")
    room_join.line_ui()
    data = state.current_data()
    st.markdown("Train the **Train page's setup** for several values of one setting — say the L2 strength λ — "
                "and see which value gives the best **validation** accuracy. The best is then trained again and "
                "tested once on the **test** set, as the first tutorial does.")
    st.button("Set up the tutorial's λ sweep", icon=":material/school:", on_click=_tutorial, args=(data,),
              help="48-32 sigmoid, full-batch momentum 0.9, learning rate 0.2, 1000 epochs; "
                   "λ = logspace(-2, 2, 10).")
    try:
        net_cfg, train_cfg = controls.build_configs(controls.read_controls(data), data)
    except ValueError as e:
        st.error(f"The Train page's settings do not work together: {e}")
        return
    activation = net_cfg.activations[0] if net_cfg.activations else "no hidden layer"
    st.caption(f"Setup: {'-'.join(str(w) for w in net_cfg.sizes)} {activation}, "
               f"{train_cfg.optimizer} learning rate {train_cfg.lr:g}, {train_cfg.epochs} epochs, on {data.name}.")
    p1, v1 = axis_ui(1)
    p2, v2 = axis_ui(2)
    c1, c2 = st.columns(2)
    seeds = c1.number_input("Seeds per value", 1, 10, key="sweep_seeds", value=1,
                            help="Each value trained with this many seeds: mean ± standard deviation.")
    n_jobs = c2.number_input("Worker processes", 1, 64, value=os.cpu_count() or 1, key="sweep_jobs",
                             help="Runs at once (joblib); each uses one core.")
    with st.expander("Run on a Dask cluster", icon=":material/hub:"):
        scheduler = st.text_input("Scheduler address", value=os.environ.get("NNLAB_DASK_SCHEDULER", ""),
                                  placeholder="tcp://host:8786", key="sweep_scheduler",
                                  help="Start `dask scheduler` on one machine and `dask worker tcp://host:8786` "
                                       "on the others; empty: this machine.")
    go = st.button("Run the sweep", type="primary", icon=":material/play_arrow:", key="sweep_run")
    st.caption("Stop — or any other click while it runs — stops the sweep; the finished runs stay.")
    stopped_of = st.session_state.get("sweep_running")
    if stopped_of and not go:  # the last sweep's script run ended before its last result
        st.session_state.sweep_running = None
        st.warning(f"Sweep stopped after {len(st.session_state.get('sweep_results') or [])} of {stopped_of} runs; "
                   "the runs that had not started were cancelled. Press Run the sweep to start again.",
                   icon=":material/stop_circle:")
    if go:
        try:
            axes = {p1: sweep.parse_values(p1, v1)}
            if p2:
                axes[p2] = sweep.parse_values(p2, v2)
            run_ui(data, net_cfg, train_cfg, axes, [train_cfg.seed + k for k in range(int(seeds))], int(n_jobs),
                   scheduler.strip())
        except sweep.SweepError as e:
            st.session_state.sweep_running = None
            st.error(str(e))
            return
        except Exception as e:  # a worker died, the cluster went away: keep what finished
            st.session_state.sweep_running = None
            st.error(f"The sweep stopped: {type(e).__name__}: {str(e)[:200]}. The finished runs are below.")
    results = st.session_state.get("sweep_results") or []
    if results:
        axes = st.session_state.sweep_axes
        results_ui(st.empty(), st.empty(), axes, results)
        best = st.session_state.get("sweep_best")
        if best:
            shown = ", ".join(f"{k} = {v:g}" if isinstance(v, float) else f"{k} = {v}" for k, v in best.items()
                              if k in axes)
            st.success(f"Best: **{shown}** — validation accuracy {best['val_accuracy']:.2%}; trained again and "
                       f"tested: **test accuracy {best['test_accuracy']:.2%}**.")
            st.button("Load the best into the Train page", icon=":material/upload:", key="sweep_load",
                      on_click=_load_best, args=(best, data),
                      help="The Train page's controls take the best value (the nearest one each control offers).")


errors.run(sweep_page)
