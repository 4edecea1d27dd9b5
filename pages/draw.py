"""Draw: write a digit with the mouse or a finger and see what the network thinks."""
import numpy as np
import streamlit as st
from streamlit_drawable_canvas import st_canvas

from nnlab.core.network import Network
from nnlab.data import preprocess
from nnlab.experiments import presets, verdict
from nnlab.train.trainer import Trainer
from nnlab.viz import figures
from pages.helpers import common, controls, errors, state, training_run, wording

CANVAS_SIZE = 320
PEN_WIDTH = 22
# The canvas's toolbar (undo, redo, wipe) appears on hover in the 2.2rem above the
# canvas: room for it, so it never covers the instruction above (issue 21).
CANVAS_CSS = "<style>.st-key-canvas { margin-top: 1.5rem; }</style>"


OFFER_EPOCHS = common.DRAW_OFFER_EPOCHS


def preset_for(dataset_name: str):
    """(preset name, epochs) the offer uses for this dataset, or None: no offer."""
    if dataset_name not in presets.PRESETS:
        return None
    return dataset_name, OFFER_EPOCHS.get(dataset_name, presets.PRESETS[dataset_name]["train"]["epochs"])


def train_offer(data):
    """Train the offered model on `data` here, with a progress bar, and make it the
    tab's model; the Train page then shows its settings."""
    name, epochs = preset_for(data.name)
    net, cfg = presets.build(name, data, seed=0, epochs=epochs)
    trainer = Trainer(net, data, cfg, record_grads=st.session_state.record_grads)
    bar = st.progress(0.0, text="Training…")
    for rec in trainer.run(progress_seconds=training_run.PROGRESS_SECONDS):  # MNIST: moves inside epochs
        bar.progress(trainer.epochs_done / cfg.epochs, text=f"Training… epoch {rec['epoch']} of {cfg.epochs}")
    controls.apply_preset(name, data)  # the Train page then shows the settings of this model
    st.session_state[controls.K + "seed"] = 0
    st.session_state[controls.K + "epochs"] = epochs
    state.set_model(net, trainer=trainer, controls=controls.read_controls(data), dataset=data.name,
                     source=f"preset {name!r}", train_config=cfg.to_dict())
    state.record_run(trainer.train_seconds)
    st.rerun()


def offer_training_ui(data):
    """No model yet: offer to train the dataset's preset right here."""
    offer = preset_for(data.name)
    if offer is None:
        common.no_model_ui("draw with")
        return
    name, epochs = offer
    st.info("There is no trained model yet. Train the recommended one now — it takes a few seconds "
            "— or set one up yourself on the **Train** page.")
    cfg = presets.PRESETS[name]
    hidden = "-".join(str(w) for w in cfg["network"]["hidden"])
    st.caption(f"Preset **{name}**: hidden layers {hidden}, {epochs} epochs of {cfg['train']['optimizer']}.")
    if st.button("Train a good default now", type="primary", icon=":material/bolt:", key="draw_train_default"):
        train_offer(data)


def _choose_digits():
    """Callback (before the sidebar's Dataset box is drawn): digits for every page,
    and this run trains the Draw offer on them."""
    st.session_state[state.WIDGET_PREFIX + "dataset"] = "digits"
    st.session_state.draw_offer_pending = True


def _train_offer_next_run():
    st.session_state.draw_offer_pending = True


def weak_model_ui(data):
    """A model trained without affine augmentation (the Train page's quick default
    uses 1-pixel shifts) misreads more hand-drawn digits: say so, offer the Draw model.
    Measured on tests/strokes.py (84 drawings, 3 seeds): digits-quick reads 63-71,
    with affine augmentation 73-76 (docs/draw.md)."""
    cfg = st.session_state.train_config or {}
    offer = preset_for(data.name)
    if offer is None or cfg.get("augment") == "affine":
        return
    c1, c2 = st.columns([3, 1], vertical_alignment="center")
    c1.caption("This model was trained without *affine* augmentation (turned, slanted, stretched digits), so it "
               f"misreads more hand-drawn digits. The Draw model (preset **{offer[0]}**, {offer[1]} epochs) was "
               "trained for drawing.")
    c2.button("Train the Draw model", key="draw_train_better", icon=":material/bolt:", on_click=_train_offer_next_run,
              help="Replaces the current model (download it on Evaluate first to keep it).")


def not_images_ui(data):
    """The model (or the chosen dataset) is made of plain features: say why nothing
    can be drawn, and offer the way out — a model trained on digits, one click."""
    if state.has_model():
        st.info(f"The current model was trained on **{wording.dataset_title(data)}**: plain features, not "
                "images, so it cannot read a drawing. Train a model on the 8x8 handwritten digits here — a few "
                "seconds — to draw with it. The dataset in the sidebar becomes **digits**; the current model is "
                "replaced (download it on **Evaluate** first to keep it).", icon=":material/info:")
    else:
        st.info(f"**{wording.dataset_title(data)}** is made of plain features, not images: there is nothing "
                "to draw. Train a model on the 8x8 handwritten digits here — a few seconds — to draw with it.",
                icon=":material/info:")
    st.button("Train on digits now", type="primary", icon=":material/bolt:", key="draw_train_digits",
              on_click=_choose_digits)


def _clear_canvas():
    """Clear's callback: the canvas wipes itself when its initial drawing changes
    (the component reloads it, then reports the empty canvas). Until that report
    arrives, the drawing it wiped is ignored."""
    st.session_state.canvas_version += 1
    st.session_state.canvas_cleared = st.session_state.canvas_seen


def drawn_image(result):
    """The drawing to read (RGBA array) or None: nothing drawn, or only the drawing
    Clear has just wiped.

    The canvas keeps one key: a new key (the old way to clear) mounted a second
    canvas while the old one stayed on screen until the script run ended, and
    strokes made on either in that moment were lost (issue 21)."""
    raw = result.json_data or {}
    objects = raw.get("objects") or []
    if objects == st.session_state.canvas_cleared:
        return None  # Clear was pressed; the wipe has not been reported yet
    st.session_state.canvas_cleared = None
    st.session_state.canvas_seen = objects
    return result.image_data if objects else None


def canvas_ui():
    st.caption("Draw **one digit**, large, in the middle of the black square.")
    st.html(CANVAS_CSS)
    # The changed counter inside the initial drawing is what wipes the canvas; the
    # key stays the same, so the component is never replaced under the pen.
    result = st_canvas(stroke_width=PEN_WIDTH, stroke_color="#FFFFFF", background_color="#000000",
                       width=CANVAS_SIZE, height=CANVAS_SIZE, drawing_mode="freedraw",
                       initial_drawing={"objects": [], "nnlabClears": st.session_state.canvas_version},
                       return_image_data=True, update_streamlit=True, key="canvas")
    st.button("Clear", icon=":material/ink_eraser:", key="clear_canvas", on_click=_clear_canvas,
              help="Wipe the canvas and start a new digit.")
    return drawn_image(result)


def _square(img):
    """Pad an image with zeros (no ink) to a centred square, for same-size display."""
    h, w = img.shape
    n = max(h, w)
    out = np.zeros((n, n), dtype=np.float32)
    out[(n - h) // 2:(n - h) // 2 + h, (n - w) // 2:(n - w) // 2 + w] = img
    return out


def steps_ui(result, data):
    st.markdown("**What the network sees** — the drawing is turned into an input the way the training "
                "images were made:")
    cols = st.columns(len(result.steps))
    for col, (title, img) in zip(cols, result.steps):
        img = _square(img)
        col.image(figures.image_array(img, 1.0, scale=max(1, 160 // img.shape[0])), caption=title, width=160)
    if data.image_shape == (8, 8):
        with st.expander("The exact input: 64 numbers, 0..16 (divided by 16 before the network)"):
            st.dataframe(np.asarray(result.image, dtype=int), hide_index=True)


def draw_page():
    common.frame()
    st.title("Draw")
    if st.session_state.draw_offer_pending:  # "Train on digits now" / "Train the Draw model" was pressed
        st.session_state.draw_offer_pending = False
        train_offer(state.current_data())
    data = state.model_data() or state.current_data()
    if not data.image_shape:
        not_images_ui(data)
        return
    if not state.has_model():
        offer_training_ui(data)
        return
    net: Network = st.session_state.net
    cfg = st.session_state.train_config or {}
    broken = verdict.diverged_model(st.session_state.history, cfg.get("optimizer"), cfg.get("lr"))
    if broken is not None:  # the loss exploded: that, not augmentation, is what to fix
        (st.error if broken.level == "error" else st.warning)(broken.text, icon=":material/warning:")
        st.page_link("pages/train.py", label="Go to Train", icon=":material/model_training:")
    else:
        weak_model_ui(data)
    # The canvas's column is the wider one: 320 px fit beside the prediction at 1024x768.
    left, right = st.columns([5, 4])
    with left:
        image = canvas_ui()
    tap = image is not None and preprocess.too_little_ink(image)
    result = None if image is None or tap else preprocess.preprocess(image, data.image_shape, data.pixel_max)
    if result is not None:  # the Inside page can send it through the network, layer by layer
        st.session_state.drawn_input = (result.x, result.image / data.pixel_max)
    with right:
        if result is None:
            if tap:
                st.warning("That is too small to read — **draw a digit**: one digit, large, filling most of the "
                           "black square. (**Clear** starts again.)", icon=":material/draw:")
            else:
                st.info("Draw a digit on the black canvas: the prediction appears here as soon as you lift the pen.")
            st.plotly_chart(figures.probability_figure(None, data.classes), config={"displayModeBar": False})
        else:
            probs = net.predict_proba(result.x)[0]
            best = int(np.argmax(probs))
            st.markdown(f"## The network reads: **{data.classes[best]}**")
            st.plotly_chart(figures.probability_figure(probs, data.classes), config={"displayModeBar": False})
    if result is not None:
        steps_ui(result, data)


errors.run(draw_page)
