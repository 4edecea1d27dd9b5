"""Compare: every model trained in this tab, as a run — a table (sortable;
rename, delete, pin a baseline), overlaid curves of the runs chosen in it, and
CSV downloads.  The run log lives in nnlab/runs.py; this page only draws it."""
import streamlit as st

from nnlab import figures
from pages import common, errors

MAX_OVERLAY = 10  # curves of at most this many runs at once (one colour each)


def _use(run):
    """Button callback (before the page is drawn, so the sidebar's model line shows it at once)."""
    st.session_state.compare_used = (run.name, common.use_kept_model(run))


def manage_ui(log):
    """Use its model again, rename, delete, pin a baseline: for one run picked in a select box."""
    with st.expander("Use a run's model again, rename, delete, baseline", icon=":material/edit:"):
        ids = [r.id for r in log.runs]
        run_id = st.selectbox("Run", ids, index=len(ids) - 1, format_func=lambda i: log.get(i).name,
                              key="compare_run")
        run = log.get(run_id)
        st.button("Use this run's model", key="compare_use", icon=":material/model_training:",
                  on_click=_use, args=(run,), disabled=run.model is None,
                  help=f"Evaluate it or draw with it again (the {log.max_models} runs trained last keep their "
                       "model)." if run.model is not None else
                  f"Only the {log.max_models} runs trained last keep their model; this one keeps its curves.")
        c1, c2, c3 = st.columns([3, 1, 1], vertical_alignment="bottom")
        name = c1.text_input("New name", value=log.get(run_id).name, key=f"compare_name_{run_id}")
        if c1.button("Rename", key="compare_rename"):
            try:
                log.rename(run_id, name)
                st.rerun()
            except ValueError as e:
                st.error(str(e))
        is_base = log.baseline == run_id
        if c2.button("Unpin" if is_base else "Pin as baseline", key="compare_pin",
                     help="The table then lists, for every run, how its settings differ from the baseline's."):
            log.pin(None if is_base else run_id)
            st.rerun()
        if c3.button("Delete", key="compare_delete", icon=":material/delete:"):
            log.delete(run_id)
            st.rerun()


def used_ui():
    """What "Use this run's model" did: the run's model is the tab's model now, or why not."""
    if st.session_state.compare_used is None:
        return
    (name, why_not), st.session_state.compare_used = st.session_state.compare_used, None
    if why_not:
        st.error(why_not, icon=":material/error:")
        return
    st.success(f"The model of **{name}** is this tab's model again.", icon=":material/check_circle:")
    row = st.container(horizontal=True)
    with row:
        st.page_link("pages/evaluate.py", label="Evaluate it", icon=":material/analytics:")
        st.page_link("pages/draw.py", label="Draw with it", icon=":material/draw:")


def compare_page():
    common.frame()
    st.title("Compare")
    st.markdown("Every model you train in this tab is kept here as a **run**: its settings, its curves "
                "and its final scores — change a setting, Reset, train again, and compare.")
    log = st.session_state.run_log
    if not log.runs:
        st.info("No runs yet: train a model on the **Train** page (each new model becomes a run).")
        st.page_link("pages/train.py", label="Go to Train", icon=":material/model_training:")
        return
    table = log.table()
    st.caption("Click rows to choose the runs whose curves are drawn below (the newest ones by default); "
               "click a column's header to sort.")
    event = st.dataframe(table.drop(columns=["id"]), hide_index=True, on_select="rerun",
                         selection_mode="multi-row", key="compare_table",
                         column_config={"val accuracy %": st.column_config.NumberColumn(format="%.2f"),
                                        "train accuracy %": st.column_config.NumberColumn(format="%.2f"),
                                        "val loss": st.column_config.NumberColumn(format="%.4f"),
                                        "train loss": st.column_config.NumberColumn(format="%.4f")})
    rows = event.selection.rows if event is not None else []
    chosen = [int(table.iloc[i]["id"]) for i in rows] or [r.id for r in log.runs[-4:]]
    if len(chosen) > MAX_OVERLAY:
        st.caption(f"Showing the first {MAX_OVERLAY} of the {len(chosen)} runs chosen.")
        chosen = chosen[:MAX_OVERLAY]
    differs = log.differences(chosen)
    runs = {}
    for run in map(log.get, chosen):
        runs[f"{run.name}: {differs[run.name]}" if differs[run.name] else run.name] = run.history
    left, right = st.columns(2)
    left.plotly_chart(figures.compare_figure(runs, "loss", "Loss (lower is better)"), key="compare_loss",
                      config={"displayModeBar": False})
    right.plotly_chart(figures.compare_figure(runs, "accuracy", "Accuracy (%)", percent=True),
                       key="compare_acc", config={"displayModeBar": False})
    st.caption("Dotted: training; solid: validation. The legend names the settings in which the runs differ.")
    manage_ui(log)
    used_ui()
    c1, c2 = st.columns(2)
    c1.download_button("Download the table (.csv)", log.csv("table"), file_name="nnlab-runs.csv",
                       mime="text/csv", icon=":material/download:")
    c2.download_button("Download the histories (.csv)", log.csv("histories"), file_name="nnlab-run-histories.csv",
                       mime="text/csv", icon=":material/download:")


errors.run(compare_page)
