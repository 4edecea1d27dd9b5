"""Compare: every model trained in this tab, as a run — a table (sortable;
rename, delete, pin a baseline), overlaid curves of the runs chosen in it, and
CSV downloads.  The run log lives in nnlab/experiments/runs.py; this page only draws it."""
import streamlit as st

from nnlab.viz import escape, figures_runs
from pages.helpers import code_ui, common, controls, errors, state

MAX_OVERLAY = 10  # curves of at most this many runs at once (one colour each)


def _use(run):
    """Button callback (before the page is drawn, so the sidebar's model line shows it at once)."""
    st.session_state.compare_used = (run.name, state.use_kept_model(run))


def _rename(log, run_id):
    """Rename, then set the chooser's value anew (a callback runs before the page is drawn,
    so it may): the browser keeps a select box's value as the option's *text* ("run 1"),
    which no longer names any option after a rename, and showed the old name."""
    st.session_state.compare_deleted = None
    try:
        log.rename(run_id, st.session_state[f"compare_name_{run_id}"])
    except ValueError as e:
        st.session_state.compare_error = f"Could not rename the run: {e}."
        return
    st.session_state.compare_run = run_id


def _pin(log, run_id):
    st.session_state.compare_deleted = None
    log.pin(None if log.baseline == run_id else run_id)


def _delete(log, run_id):
    st.session_state.compare_deleted = log.delete(run_id)  # what Undo needs


def _undelete(log):
    run = log.undelete(st.session_state.compare_deleted)
    st.session_state.compare_deleted = None
    st.session_state.compare_run = run.id


def deleted_ui(log):
    """After Delete, next to it: which run went, and Undo (until the next rename, pin or delete)."""
    undo = st.session_state.compare_deleted
    if undo is None:
        return
    with st.container(horizontal=True, vertical_alignment="center"):
        st.info(f"Deleted **{escape.markdown(undo['run'].name)}**.", icon=":material/delete:")
        st.button("Undo", key="compare_undo", icon=":material/undo:", on_click=_undelete, args=(log,),
                  help="Put the run back: its curves, scores, name and kept model.")


def manage_ui(log):
    """Use its model again, take its code, rename, delete, pin a baseline: for one run picked in a select box."""
    with st.expander("Use a run's model again, rename, delete, baseline, code", icon=":material/edit:"):
        ids = [r.id for r in log.runs]
        run_id = st.selectbox("Run", ids, index=len(ids) - 1, format_func=lambda i: log.get(i).name,
                              key="compare_run")
        run = log.get(run_id)
        with st.container(horizontal=True, gap="small"):
            st.button("Use this run's model", key="compare_use", icon=":material/model_training:",
                      on_click=_use, args=(run,), disabled=run.model is None,
                      help=f"Evaluate it or draw with it again (the {log.max_models} runs trained last keep "
                           "their model)." if run.model is not None else
                      f"Only the {log.max_models} runs trained last keep their model; this one keeps its curves.")
            code_ui.code_ui(code_ui.setup_of(run.dataset, run.settings, name=run.name), key="compare_code")
        c1, c2, c3 = st.columns([3, 1, 1], vertical_alignment="bottom")
        c1.text_input("New name", value=log.get(run_id).name, key=f"compare_name_{run_id}")
        c1.button("Rename", key="compare_rename", on_click=_rename, args=(log, run_id))
        c2.button("Unpin" if log.baseline == run_id else "Pin as baseline", key="compare_pin",
                  on_click=_pin, args=(log, run_id),
                  help="The table then lists, for every run, how its settings differ from the baseline's.")
        c3.button("Delete", key="compare_delete", icon=":material/delete:", on_click=_delete, args=(log, run_id),
                  help="Remove the run from this tab's list (Undo puts it back).")
        if st.session_state.compare_error:
            st.error(st.session_state.compare_error, icon=":material/error:")
            st.session_state.compare_error = ""
        deleted_ui(log)


def used_ui():
    """What "Use this run's model" did: the run's model is the tab's model now, or why not."""
    if st.session_state.compare_used is None:
        return
    (name, why_not), st.session_state.compare_used = st.session_state.compare_used, None
    if why_not:
        st.error(why_not, icon=":material/error:")
        return
    st.success(f"The model of **{escape.markdown(name)}** is this tab's model again.", icon=":material/check_circle:")
    row = st.container(horizontal=True)
    with row:
        st.page_link("pages/evaluate.py", label="Evaluate it", icon=":material/analytics:")
        st.page_link("pages/draw.py", label="Draw with it", icon=":material/draw:")


def differences_ui(log, chosen):
    """The settings in which the shown runs differ, one row per run in its chart colour
    (the legend names the runs only: a legend of every setting ran off the chart)."""
    table = log.differences_table(chosen)
    if len(table.columns) == 1:
        st.caption("The runs shown have the same settings.")
        return
    table.insert(0, "line", "━━")
    table = table.rename(columns=lambda k: controls.LABELS.get(k, k))
    colors = [figures_runs.RUN_COLORS[i % len(figures_runs.RUN_COLORS)] for i in range(len(table))]
    st.dataframe(table.style.apply(lambda col: [f"color: {c}" for c in colors], subset=["line"]),
                 hide_index=True, key="compare_differences", width="content",
                 column_config={"line": st.column_config.TextColumn("", width=40),
                                "run": st.column_config.TextColumn("run", width="medium")})  # (see the name column)


def compare_page():
    common.frame()
    st.title("Compare")
    st.markdown("Every model you train in this tab is kept here as a **run**: its settings, its curves "
                "and its final scores — change a setting, Reset, train again, and compare.")
    log = st.session_state.run_log
    if not log.runs:
        deleted_ui(log)  # the last run was deleted: Undo still
        st.info("No runs yet: train a model on the **Train** page (each new model becomes a run).")
        st.page_link("pages/train.py", label="Go to Train", icon=":material/model_training:")
        return
    table = log.table()
    if log.baseline is None:
        table = table.drop(columns=["baseline"])
    st.caption("Click rows to choose the runs whose curves are drawn below (the newest ones by default); "
               "click a column's header to sort.")
    event = st.dataframe(table.drop(columns=["id"]), hide_index=True, on_select="rerun",
                         selection_mode="multi-row", key="compare_table",
                         # a fixed width: the table keeps the widths it first chose, which cut a
                         # longer name after a rename ("run 1 (b" when the baseline was in the name)
                         column_config={"name": st.column_config.TextColumn("name", pinned=True, width="medium"),
                                        "baseline": st.column_config.CheckboxColumn(
                                            "baseline", help="The run the changes column compares with."),
                                        "val accuracy %": st.column_config.NumberColumn(format="%.2f"),
                                        "train accuracy %": st.column_config.NumberColumn(format="%.2f"),
                                        "val loss": st.column_config.NumberColumn(format="%.4f"),
                                        "train loss": st.column_config.NumberColumn(format="%.4f")})
    rows = event.selection.rows if event is not None else []
    chosen = [int(table.iloc[i]["id"]) for i in rows if i < len(table)] or [r.id for r in log.runs[-4:]]
    if len(chosen) > MAX_OVERLAY:
        st.caption(f"Showing the first {MAX_OVERLAY} of the {len(chosen)} runs chosen.")
        chosen = chosen[:MAX_OVERLAY]
    runs = [(run.name, run.history) for run in map(log.get, chosen)]
    left, right = st.columns(2)
    left.plotly_chart(figures_runs.compare_figure(runs, "loss", "Loss (lower is better)"), key="compare_loss",
                      config={"displayModeBar": False})
    right.plotly_chart(figures_runs.compare_figure(runs, "accuracy", "Accuracy (%)", percent=True),
                       key="compare_acc", config={"displayModeBar": False})
    st.caption("Dotted: training; solid: validation. Below: the settings in which these runs differ.")
    differences_ui(log, chosen)
    manage_ui(log)
    used_ui()
    c1, c2 = st.columns(2)
    c1.download_button("Download the table (.csv)", log.csv("table"), file_name="nnlab-runs.csv",
                       mime="text/csv", icon=":material/download:")
    c2.download_button("Download the histories (.csv)", log.csv("histories"), file_name="nnlab-run-histories.csv",
                       mime="text/csv", icon=":material/download:")


errors.run(compare_page)
