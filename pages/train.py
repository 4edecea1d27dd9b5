"""Train: pick the network and how to train it, then watch it learn."""
import pandas as pd
import streamlit as st

from nnlab.core.network import Network
from nnlab.experiments import estimate, presets
from nnlab.viz import escape, figures
from pages.helpers import code_ui, common, controls, controls_ui, errors, present, room_join, share, state, train_view, wording
from pages.helpers import lessons_text as lessons
from pages.helpers import training_run as tr

LONG_RUN_SECONDS = 20  # a run expected to take longer says how long before it starts


def buttons_ui(blocked: bool):
    """Train, Step, Stop, Reset.  Their enabled state does not depend on whether
    training runs (the page is not redrawn when a run ends): pressing Train while
    training, or Stop while idle, is harmless."""
    row = st.container(horizontal=True, gap="small")  # one row on a phone too (columns stack)
    row.button("Train", type="primary", icon=":material/play_arrow:", on_click=tr.on_train,
               disabled=blocked, width="stretch", shortcut=wording.SHORTCUTS["Train"],
               help="Train until the last epoch (or early stopping). The charts update as it learns.")
    row.button("Step", icon=":material/skip_next:", on_click=tr.on_step, disabled=blocked,
               width="stretch", shortcut=wording.SHORTCUTS["Step"], help="Train exactly one more epoch, then pause.")
    row.button("Stop", icon=":material/stop:", on_click=tr.on_stop, width="stretch", shortcut=wording.SHORTCUTS["Stop"],
               help="Pause training. The model and its history are kept; Train or Step continues from here.")
    row.button("Reset", icon=":material/restart_alt:", on_click=tr.on_reset, width="stretch",
               help="Forget the model and its history (asks first). The next Train starts a new model from "
                    "the controls.")
    if not state.has_model():
        st.session_state.reset_asked = False
    elif st.session_state.reset_asked:
        reset_question_ui()


def reset_question_ui():
    """Reset was pressed with a model: say what would be lost, and ask."""
    trainer = st.session_state.trainer
    what = f"trained for {trainer.epoch} epoch{'s' if trainer.epoch != 1 else ''}" if trainer else \
        st.session_state.model_source
    st.warning(f"**Throw away the current model?** It was {what}; Reset forgets it and its history. To keep "
               "the model itself, download it on **Evaluate** first.",
               icon=":material/delete_forever:")
    row = st.container(horizontal=True, gap="small")
    row.button("Yes, reset", type="primary", icon=":material/restart_alt:", key="reset_yes",
               on_click=tr.on_reset_answer, args=(True,))
    row.button("Keep it", key="reset_no", on_click=tr.on_reset_answer, args=(False,))


def network_ui(ctl, data):
    """The tab's model, or (before training) the network the controls describe."""
    net = st.session_state.net
    if net is None:
        try:
            net_cfg, _ = controls.build_configs(ctl, data)
        except ValueError as e:
            st.error(f"These settings do not work together: {e}")
            return
        net = Network(net_cfg, seed=0)
        st.caption("The network the controls describe (not trained yet):")
    left, right = st.columns([3, 2])
    left.plotly_chart(figures.network_figure(net.config.sizes, net.config.activations),
                      config={"displayModeBar": False, "staticPlot": True})
    if any(n > 10 for n in net.config.sizes):
        left.caption("Layers wider than 10 units are drawn with 10 of them (⋮ marks the rest).")
    # A static table: every column stays on screen at any width (a data grid hid Params at 1024x768).
    table = pd.DataFrame(net.summary()).rename(columns=str.capitalize)
    table["Units"] = table["Units"].map("{:,}".format)
    table["Params"] = table["Params"].map("{:,}".format)
    right.table(table.set_index("Layer"))
    right.markdown(f"**{net.n_params:,} parameters** (weights and biases) to learn.")


def preset_offer_ui(data):
    """The dataset has a preset of its own and the controls come from another one
    (e.g. the digits defaults after switching to MNIST): offer it."""
    name = common.preset_for_dataset(data.name)
    if st.session_state.lesson is not None:
        return  # the controls hold a lesson's setup, not a preset's
    if name is None or common.preset_fits(st.session_state.get(controls.K + "preset"), data.name):
        return
    c1, c2 = st.columns([3, 1], vertical_alignment="center")
    c1.info(f"**{wording.dataset_title(data)}** has a preset made for it: **{name}** — "
            f"{wording.preset_text(presets.PRESETS[name]['description'])}", icon=":material/tune:")
    c2.button(f"Apply the {name} preset", key="offer_preset", on_click=controls.apply_preset, args=(name, data),
              type="primary", width="stretch", help="Copy the preset's settings into the sidebar's controls.")


def _restore_setup():
    """Put back the controls as they were before the first lesson was loaded."""
    s = st.session_state
    for key, value in (s.lesson_before or {}).items():
        s[key] = value
    s.lesson = s.lesson_before = None


def _leave_lesson():
    st.session_state.lesson = st.session_state.lesson_before = None


def lesson_ui():
    """The lesson whose setup the controls hold (Lessons' Load this setup): its question, and ways back."""
    i = st.session_state.lesson
    if i is None:
        return
    lesson = lessons.LESSONS[i]
    with st.container(border=True, key="lesson_box"):
        st.markdown(f":material/school: **Lesson {i + 1}: {lesson['title']}** — the controls hold its setup.  \n"
                    f"**Try it:** {lesson['question']}")
        row = st.container(horizontal=True, gap="small", vertical_alignment="center")
        with row:
            st.page_link("pages/lessons.py", label="Back to the lesson", icon=":material/arrow_back:")
            st.button("Restore my setup", key="lesson_restore", icon=":material/undo:", on_click=_restore_setup,
                      type="tertiary", disabled=not st.session_state.lesson_before,
                      help="Put the controls back as they were before you loaded a lesson (the model trained "
                           "since stays until you press Reset).")
            st.button("Done with the lesson", key="lesson_done", icon=":material/close:", on_click=_leave_lesson,
                      type="tertiary", help="Keep these controls and hide this box.")


def _estimate_key(ctl, data) -> str:
    keys = ("hidden", "activations", "loss", "dropout", "optimizer", "batch_size", "augment")
    return repr((data.name, len(data.X_train), [ctl.get(k) for k in keys]))


def estimate_ui(ctl, data):
    """Before a long run: how long it will take, from a measured time per epoch —
    the model's own last epochs, or (before the first) a fraction of a second of
    training a throw-away copy (nnlab/experiments/estimate.py).  Nothing for short runs."""
    trainer = st.session_state.trainer
    done = trainer.epoch if trainer is not None else 0
    left = ctl["epochs"] - done
    if left <= 0 or (trainer is not None and trainer.finished and trainer.stopped_reason != tr.MAX_EPOCHS_REACHED):
        return
    timed = [r["seconds"] for r in (st.session_state.history or []) if r.get("seconds")]
    if timed:
        per_epoch, how = sorted(timed[-5:])[len(timed[-5:]) // 2], "as measured on its last epochs"
    else:
        try:
            net_cfg, train_cfg = controls.build_configs(ctl, data)
        except ValueError:
            return  # the page says what is wrong
        n_params = _n_params(net_cfg.n_inputs, ctl["hidden"], net_cfg.n_outputs)  # without building it
        if not estimate.worth_measuring(len(data.X_train), n_params, left):
            return
        memo = st.session_state.epoch_estimates
        key = _estimate_key(ctl, data)
        if key not in memo:
            with st.spinner("Measuring how long an epoch takes…"):
                memo[key] = estimate.seconds_per_epoch(net_cfg, train_cfg, data)
        per_epoch, how = memo[key], "measured just now on a few batches"
    total = per_epoch * left
    if total < LONG_RUN_SECONDS:
        return
    what = f"{left} more epoch{'s' if left != 1 else ''}" if done else f"{left} epoch{'s' if left != 1 else ''}"
    st.caption(f":material/schedule: **{what}: {wording.duration(total)}** on this machine "
               f"({wording.seconds(per_epoch)} per epoch, {how}). Lower **Epochs** for a shorter run; "
               "**Stop** pauses at any time.")


def _n_params(n_in: int, hidden: list, n_out: int) -> int:
    sizes = [n_in, *hidden, n_out]
    return sum(a * b + b for a, b in zip(sizes, sizes[1:]))


def train_page():
    status = common.frame(notices=False)
    token = st.session_state.live.claim()  # first thing: this run owns the trainer (live_run.py)
    data = state.current_data()
    share.title_ui("Train", "train")
    room_join.line_ui()  # "Posting to room ABC234 as ...": each finished run goes there
    sizes = data.sizes()
    if st.session_state.get("apply_preset") or st.session_state.get("offer_preset"):
        _leave_lesson()  # a preset replaced the lesson's setup
    if st.session_state.show_only:
        where = "with the controls below"
    elif st.session_state.presenting:  # the sidebar starts closed
        where = "with the controls in the sidebar (**»** at the top left opens it)"
    else:
        where = "in the sidebar"
    st.markdown(f"Teach a network to recognise **{wording.dataset_title(data)}**: {sizes['train']:,} training "
                f"and {wording.examples(data, sizes['validation'])} for validation. Set it up {where}, then "
                "press **Train**.")
    lesson_ui()
    with present.controls_area():
        ctl = controls_ui.controls_ui(data)
    preset_offer_ui(data)
    if st.session_state.ui_error:
        st.error(st.session_state.ui_error)
        st.session_state.ui_error = ""
    if st.session_state.ui_notice:
        st.info(st.session_state.ui_notice, icon=":material/info:")
        st.session_state.ui_notice = ""

    new_model, changes = tr.mismatch(ctl)
    from_file = st.session_state.net is not None and st.session_state.trainer is None
    if new_model:
        st.session_state.live.running = False
        st.warning("**These changes need a new model** — you changed: " + "; ".join(new_model)
                   + ". The charts and the Evaluate and Draw pages still show the current model. Press **Reset** "
                   "to start a new model with the new settings (or change them back to keep training this one).",
                   icon=":material/sync_problem:")
    elif changes and st.session_state.live.running:  # mid-run: training goes on with them from the next batch
        if not tr.apply_changes(ctl, changes):
            st.session_state.live.running = False
            st.error(st.session_state.ui_error)
            st.session_state.ui_error = ""
    elif changes:
        st.info(f"**Train** and **Step** go on training this model from epoch {st.session_state.trainer.epoch + 1} "
                "with: " + "; ".join(changes) + ". The change is marked on the charts.",
                icon=":material/update:")
    elif from_file:
        st.info(f"The current model was {escape.markdown(st.session_state.model_source)}. Press **Reset** to train "
                "a new one with these controls.")
    buttons_ui(blocked=bool(new_model) or from_file)
    if not new_model and not from_file:
        estimate_ui(ctl, data)

    trainer = st.session_state.trainer
    view = train_view.TrainView(model_status=status)  # progress, verdict and charts: above the fold at 1280x720
    if trainer is not None and st.session_state.live.step_pending:
        st.session_state.live.step_pending = False
        tr.run_training(view, token, epochs=1)
    elif trainer is not None and st.session_state.live.running:
        tr.run_training(view, token)
    elif st.session_state.history or (trainer is not None and trainer.epoch_progress is not None):
        tr.draw_idle(view)  # (the second case: stopped inside the first epoch)
    else:
        view.status.caption("No training yet: the loss and accuracy charts appear here.")
    tr.outcome_ui(st.session_state.trainer, view)
    code_ui.code_ui(code_ui.model_setup(), key="train_code")
    with status.container():
        common.model_status_ui()

    st.subheader("Network")
    network_ui(ctl, data)


errors.run(train_page)
