"""Train: pick the network and how to train it, then watch it learn."""
import pandas as pd
import streamlit as st

from nnlab import figures
from nnlab.network import Network
from pages import common, controls
from pages import training_run as tr


def buttons_ui(blocked: bool):
    """Train, Step, Stop, Reset.  Their enabled state does not depend on whether
    training runs (the page is not redrawn when a run ends): pressing Train while
    training, or Stop while idle, is harmless."""
    b1, b2, b3, b4 = st.columns(4)
    b1.button("Train", type="primary", icon=":material/play_arrow:", on_click=tr.on_train,
              disabled=blocked, width="stretch",
              help="Train until the last epoch (or early stopping). The charts update as it learns.")
    b2.button("Step", icon=":material/skip_next:", on_click=tr.on_step, disabled=blocked,
              width="stretch", help="Train exactly one more epoch, then pause.")
    b3.button("Stop", icon=":material/stop:", on_click=tr.on_stop,
              width="stretch", help="Pause training. The model and its history are kept; "
                                              "Train or Step continues from here.")
    b4.button("Reset", icon=":material/restart_alt:", on_click=tr.on_reset, width="stretch",
              help="Forget the model and its history. The next Train starts a new model from the controls.")


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
    table = pd.DataFrame(net.summary()).rename(columns=str.capitalize)
    right.dataframe(table, hide_index=True)
    right.markdown(f"**{net.n_params:,} parameters** (weights and biases) to learn.")


def train_page():
    status = common.frame()
    token = tr.claim_trainer()
    data = common.current_data()
    with st.sidebar:
        st.subheader("Training controls")
        ctl = controls.controls_ui(data)

    st.title("Train")
    st.markdown(f"Teach a network to recognise **{data.description or data.name}**: "
                f"{data.sizes()['train']:,} training and {data.sizes()['validation']:,} validation images. "
                "Set it up in the sidebar, then press **Train**.")
    if st.session_state.ui_error:
        st.error(st.session_state.ui_error)
        st.session_state.ui_error = ""
    if st.session_state.ui_notice:
        st.info(st.session_state.ui_notice, icon=":material/info:")
        st.session_state.ui_notice = ""

    new_model, changes = tr.mismatch(ctl)
    from_file = st.session_state.net is not None and st.session_state.trainer is None
    if new_model:
        st.session_state.running = False
        st.warning("**These changes need a new model** — you changed: " + "; ".join(new_model)
                   + ". The charts and the Evaluate and Draw pages still show the current model. Press **Reset** "
                   "to start a new model with the new settings (or change them back to keep training this one).",
                   icon=":material/sync_problem:")
    elif changes and st.session_state.running:  # mid-run: training goes on with them from the next batch
        if not tr.apply_changes(ctl, changes):
            st.session_state.running = False
            st.error(st.session_state.ui_error)
            st.session_state.ui_error = ""
    elif changes:
        st.info(f"**Train** and **Step** go on training this model from epoch {st.session_state.trainer.epoch + 1} "
                "with: " + "; ".join(changes) + ". The change is marked on the charts.",
                icon=":material/update:")
    elif from_file:
        st.info(f"The current model was {st.session_state.model_source}. Press **Reset** to train "
                "a new one with these controls.")
    buttons_ui(blocked=bool(new_model) or from_file)
    outcome = st.empty()  # filled after this run's training: divergence / early stopping

    trainer = st.session_state.trainer
    view = tr.TrainView(model_status=status)
    if trainer is not None and st.session_state.step_pending:
        st.session_state.step_pending = False
        tr.run_training(view, token, epochs=1)
    elif trainer is not None and st.session_state.running:
        tr.run_training(view, token)
    elif st.session_state.history or (trainer is not None and trainer.epoch_progress is not None):
        tr.draw_idle(view)  # (the second case: stopped inside the first epoch)
    else:
        view.status.caption("No training yet: the loss and accuracy charts appear here.")
    with outcome.container():
        tr.outcome_ui(st.session_state.trainer)
    with status.container():
        common.model_status_ui()

    st.subheader("Network")
    network_ui(ctl, data)


train_page()
