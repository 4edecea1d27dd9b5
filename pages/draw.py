"""Draw: write a digit with the mouse or a finger and see what the network thinks."""
import numpy as np
import streamlit as st
from streamlit_drawable_canvas import st_canvas

from nnlab import figures, preprocess, presets
from nnlab.network import Network
from nnlab.training import Trainer
from pages import common, controls, training_run

CANVAS_SIZE = 320
PEN_WIDTH = 22


OFFER_EPOCHS = common.DRAW_OFFER_EPOCHS


def preset_for(dataset_name: str):
    """(preset name, epochs) the offer uses for this dataset, or None: no offer."""
    if dataset_name not in presets.PRESETS:
        return None
    return dataset_name, OFFER_EPOCHS.get(dataset_name, presets.PRESETS[dataset_name]["train"]["epochs"])


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
        net, cfg = presets.build(name, data, seed=0, epochs=epochs)
        trainer = Trainer(net, data, cfg)
        bar = st.progress(0.0, text="Training…")
        for rec in trainer.run(progress_seconds=training_run.PROGRESS_SECONDS):  # MNIST: moves inside epochs
            bar.progress(trainer.epochs_done / cfg.epochs, text=f"Training… epoch {rec['epoch']} of {cfg.epochs}")
        controls.apply_preset(name, data)  # the Train page then shows the settings of this model
        st.session_state[controls.K + "seed"] = 0
        st.session_state[controls.K + "epochs"] = epochs
        common.set_model(net, trainer=trainer, controls=controls.read_controls(data), dataset=data.name,
                         source=f"preset {name!r}", train_config=cfg.to_dict())
        common.record_run(trainer.train_seconds)
        st.rerun()


def canvas_ui():
    st.write("")  # room for the canvas's own toolbar, which sits above it
    result = st_canvas(stroke_width=PEN_WIDTH, stroke_color="#FFFFFF", background_color="#000000",
                       width=CANVAS_SIZE, height=CANVAS_SIZE, drawing_mode="freedraw",
                       return_image_data=True, update_streamlit=True,
                       key=f"canvas_{st.session_state.canvas_version}")
    c1, c2 = st.columns([1, 3], vertical_alignment="center")
    c2.markdown("Draw **one digit**, large, in the middle of the black square.")
    if c1.button("Clear", icon=":material/ink_eraser:", key="clear_canvas",
                 help="Wipe the canvas and start a new digit."):
        st.session_state.canvas_version += 1
        st.rerun()
    return result.image_data


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
    data = common.model_data() or common.current_data()
    if not data.image_shape:
        st.info("Drawing needs a dataset of images; choose one in the sidebar.")
        return
    if not common.has_model():
        offer_training_ui(data)
        return
    net: Network = st.session_state.net
    left, right = st.columns([1, 1])
    with left:
        image = canvas_ui()
    result = preprocess.preprocess(image, data.image_shape, data.pixel_max) if image is not None else None
    with right:
        if result is None:
            st.info("Draw a digit on the black canvas: the prediction appears here as soon as you lift the pen.")
            probs = np.full(data.n_classes, 1.0 / data.n_classes)
            st.plotly_chart(figures.probability_figure(probs, data.classes).update_layout(
                title_text="Prediction: (nothing drawn yet)"), config={"displayModeBar": False})
        else:
            probs = net.predict_proba(result.x)[0]
            best = int(np.argmax(probs))
            st.markdown(f"## The network reads: **{data.classes[best]}**")
            st.plotly_chart(figures.probability_figure(probs, data.classes), config={"displayModeBar": False})
    if result is not None:
        steps_ui(result, data)


draw_page()
