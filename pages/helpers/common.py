"""What every page starts with: `frame()` (the tab's state, its lab, a link's
settings, presenter mode, the shared sidebar) and the few lines pages share
(the model line of the sidebar, "no model yet").  The state itself: state.py.
"""
from __future__ import annotations

import streamlit as st

from nnlab.data.dataerror import Unreachable
from nnlab.viz import escape
from pages.helpers import controls, lab, lab_ui, present, room_join, share, state, streamlit_compat, style, wording

# The Draw page's "train a good default" offer: epochs per dataset preset.  The
# digits preset runs 300 epochs (~7 s); 100 of them (~2-3 s) already read every
# digit of the browser test's drawings, so the offer stops there.
DRAW_OFFER_EPOCHS = {"digits": 100, "mnist": 2}  # MNIST: 2 epochs ~97 %, seconds not a minute


def preset_fits(preset: str | None, dataset: str) -> bool:
    """Whether preset `preset` is made for `dataset` (named after it: digits,
    digits-quick -> digits; mnist -> mnist)."""
    return bool(preset) and preset.split("-")[0] == dataset


def preset_for_dataset(dataset: str) -> str | None:
    """The preset made for `dataset` (the one named exactly like it), or None."""
    from nnlab.experiments import presets

    return dataset if dataset in presets.PRESETS else None


def _check_dataset(key: str):
    """A chosen dataset that cannot be loaded (no CSV uploaded yet, no MNIST
    folder, offline) falls back to the first one, saying why; the model stays."""
    name = st.session_state[key]
    try:
        state.load_data(name)
    except ValueError as e:
        # a failed download's message names CLI flags and variables: say it in the app's words
        why = "it could not be downloaded (this server cannot reach OpenML)" if isinstance(e, Unreachable) else e
        st.session_state[key] = state.dataset_names()[0]
        st.session_state.data_error = (f"Could not load **{wording.dataset_label(name)}**: {why} — using "
                                       f"**{wording.dataset_label(state.dataset_names()[0])}**. "
                                       "Choose the data on the **Data** page.")


def model_status_ui():
    """A short description of the tab's model for the sidebar."""
    net = st.session_state.net
    if net is None:
        st.caption("No model yet: train one on **Train**.")
        return
    history = st.session_state.history
    acc = next((r["val_accuracy"] for r in reversed(history) if r.get("val_accuracy") is not None), None)
    sizes = "-".join(str(s) for s in net.config.sizes)
    epochs = sum(1 for r in history if r.get("diverged_loss") is None)  # a diverged epoch is not kept
    line = f"**Model:** {sizes} on {st.session_state.model_dataset}, {epochs} epoch{'' if epochs == 1 else 's'}"
    if acc is not None:
        line += f", validation accuracy {acc:.1%}"
    st.caption(line + f" ({escape.markdown(st.session_state.model_source)}).")  # a run's or a file's name


def frame(shared_sidebar: bool = True, page: str = "train", data_error_here: bool = True, notices: bool = True,
          joins: bool = True):
    """Returns the sidebar's model-status placeholder (redraw it after training
    with `with status.container(): model_status_ui()`).  `shared_sidebar=False`
    (the Playground, which has data and a model of its own): no dataset box and
    no model line in the sidebar; returns None.  `page`: the sharelink.PAGES entry
    whose controls a link opened here sets (the Playground's are its own).
    `data_error_here=False`: the page shows why its dataset fell back itself, under
    its title (data_error_ui).  `notices=False`: the page shows a link's notices
    itself, under its title (share.title_ui).  `joins=False` (the Room page, whose `?room=` is
    the scoreboard to show): a `?room=` is not a join link there (room_join.py).

    What every page starts with: state, the kept control values and the shared
    sidebar (dataset + the tab's model).

    Called by each page rather than app.py: a folder named pages/ next to the
    entry script makes Streamlit run a page on its own in some cases (its
    multipage "v1" compatibility mode, e.g. a deep link right after the server
    starts), so each page must set itself up — and leaves that mode at once."""
    streamlit_compat.leave_pages_folder_mode()
    streamlit_compat.reload_after_reconnect()
    style.apply()
    state.init_state()
    lab.open_lab()  # the lab of the address: its controls, runs and model, before any widget is drawn
    room_join.apply(joins)  # a join link (?room=CODE): checked once, asked about above the page
    controls.init_controls()
    share.apply_link(page)  # before any widget is drawn: a link sets their values
    present.apply()
    names = state.dataset_names()
    key = state.WIDGET_PREFIX + "dataset"
    if st.session_state.get(key) not in names:
        st.session_state[key] = names[0]
    if not shared_sidebar:
        lab_ui.notice_ui()
        room_join.ask_ui()
        return None
    _check_dataset(key)
    with st.sidebar:
        st.selectbox("Dataset", names, key=key, format_func=wording.dataset_label, help=controls.HELP["dataset"])
        status = st.empty()
        st.divider()
        lab_ui.lab_ui()  # New lab, Delete; the warning when the work is not being saved
    lab_ui.notice_ui()
    room_join.ask_ui()
    if data_error_here:
        data_error_ui()
    if notices:
        share.notice_ui()
    with status.container():
        model_status_ui()
    return status


def data_error_ui():
    """Why the dataset chosen in the sidebar could not be loaded, once."""
    if st.session_state.data_error:
        st.error(st.session_state.data_error, icon=":material/error:")
        st.session_state.data_error = ""


def no_model_ui(what: str):
    st.info(f"There is no model yet to {what}. Train one on the **Train** page "
            "(or load a saved model on **Evaluate**).")
    st.page_link("pages/train.py", label="Go to Train", icon=":material/model_training:")
