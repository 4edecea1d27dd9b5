"""Playground: points in the plane, a small network, and its decision boundary as it learns.

Its controls are in the sidebar; in presenter mode (a link's `present=1`, which closes
the sidebar) or with a link's list of controls (`controls=toy,noise,lr`) they are on
the page, under the buttons, beside the boundary the room watches."""
import streamlit as st

from nnlab.data import toy2d
from pages.helpers import common, errors, share, wording
from pages.helpers import controls_ui as widgets
from pages.helpers import playground_run as pr

P = pr.PREFIX


def option_ui(name: str, **kwargs):
    """The widget of data option `name` (nnlab.data.toy2d.OPTIONS), built as every setting's."""
    return widgets.setting_ui(toy2d.OPTION[name], prefix=P, **kwargs)


def data_ui():
    toy = option_ui("toy")
    option_ui("classes", disabled=toy not in toy2d.MULTICLASS)
    option_ui("noise")
    option_ui("points")
    option_ui("validation")
    option_ui("data_seed")
    option_ui("features")


def on_page() -> bool:
    """The controls on the page: presenter mode (the sidebar is closed) or a link's list of them."""
    return bool(st.session_state.presenting or st.session_state[P + "show_only"])


def _show_all():
    st.session_state[P + "show_only"] = ()


def controls_ui(data):
    """Every control in tabs; only a link's listed ones (controls.drawn) side by side, with All controls."""
    if st.session_state[P + "show_only"]:
        with st.container(border=True, key="play_listed_controls", horizontal=True, gap="medium"):
            data_ui()
            widgets.network_ui(data, prefix=P)
            widgets.optimizer_ui(data, prefix=P)
            widgets.training_ui(data, prefix=P)
            st.button("All controls", key="play_show_all_controls", type="tertiary", icon=":material/tune:",
                      on_click=_show_all, help="Show every control of the Playground again (this tab only).")
        return
    tab_data, tab_net, tab_opt, tab_train = st.tabs(["Data", "Network", "Optimizer", "Training"])
    with tab_data:
        data_ui()
    with tab_net:
        widgets.network_ui(data, prefix=P)
    with tab_opt:
        widgets.optimizer_ui(data, prefix=P)
    with tab_train:
        widgets.training_ui(data, prefix=P)


def sidebar_ui(data):
    with st.sidebar:
        st.subheader("Playground controls")
        controls_ui(data)


# The four buttons in one row in a narrow column (1024x768 with the sidebar open): less padding,
# and no icons where the column is narrower than four buttons with them.  The boundary's
# column no higher than its square plot needs (no blank band under it in a narrow column).
BUTTONS_CSS = """<style>
.st-key-play_buttons { flex-wrap: nowrap; gap: 0.5rem; }
.st-key-play_buttons button { padding-left: 0.4rem; padding-right: 0.4rem; min-width: 0; }
@media (max-width: 1200px) and (min-width: 640px) {
  .st-key-play_buttons button span:has(> [data-testid="stIconMaterial"]) { display: none; }
}
/* The boundary's figure is 510 px tall; its square plot is as wide as the column less the side
   margins (76 px), and title, legend and x axis take 130 px: no taller than width + 54 px. */
.st-key-live_boundary { container-type: inline-size; }
.st-key-live_boundary > div { max-height: calc(100cqw + 60px); overflow: hidden; }
</style>"""


def buttons_ui():
    st.html(BUTTONS_CSS)
    row = st.container(horizontal=True, gap="small", key="play_buttons")
    keys = wording.SHORTCUTS  # the Train page's keys: T, S, Esc
    row.button("Train", key="play_train", type="primary", icon=":material/play_arrow:", on_click=pr.on_train,
               width="stretch", shortcut=keys["Train"],
               help="Train until the last epoch. The pictures update as it learns.")
    row.button("Step", key="play_step", icon=":material/skip_next:", on_click=pr.on_step, width="stretch",
               shortcut=keys["Step"], help="Train exactly one more epoch, then pause.")
    row.button("Stop", key="play_stop", icon=":material/stop:", on_click=pr.on_stop, width="stretch",
               shortcut=keys["Stop"], help="Pause training; Train or Step goes on from here.")
    row.button("Reset", key="play_reset", icon=":material/restart_alt:", on_click=pr.on_reset, width="stretch",
               help="Start again from the first weights, on the same points.")


def playground_page():
    common.frame(shared_sidebar=False, page="playground")  # this page has data and a model of its own
    play = pr.state()
    token = play.claim()  # first thing: from now on this run owns the trainer (live_run.py)
    pr.init_controls()
    data = play.data if play.data is not None else toy2d.make_dataset()
    if not on_page():
        sidebar_ui(data)
    share.title_ui("Playground", "playground")
    st.markdown("Teach a small network to tell the colours apart. The background is the **decision boundary**: "
                "the class the network gives each spot of the plane.")
    pr.sync(play)
    if play.error:
        st.error(play.error, icon=":material/error:")
    if play.notice:
        st.info(play.notice, icon=":material/info:")
        play.notice = ""
    # The boundary on the left, from the top: square and whole above the fold of a 1280x720 projector.
    left, right = st.columns([10, 9], gap="medium")
    with right:
        buttons_ui()
        if on_page():
            with st.container(key="play_page_controls"):
                controls_ui(data)
    if play.net is None:
        return  # the very first setup does not work: the message says why
    view = pr.PlayView(left, right)
    if play.step_pending:
        play.step_pending = False
        pr.run_training(play, view, token, epochs=1)
    elif play.running:
        pr.run_training(play, view, token)
    else:
        view.draw(play)
        view.draw_last_run(play)
    st.caption("Filled points: training data (the network learns from them). Hollow points: validation data "
               "(kept aside to check it). Each small map is one hidden unit's output over the same plane: "
               "orange below zero, blue above; the boundary is built from these.")


errors.run(playground_page)
