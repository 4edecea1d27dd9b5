"""Evaluate: how good is the model on images it never saw, and where does it go wrong."""
import base64
import html
import io

import numpy as np
import pandas as pd
import streamlit as st
from PIL import Image

from nnlab import modelfile
from nnlab.experiments import metrics
from nnlab.viz import escape, figures
from pages.helpers import common, errors, state, wording

GALLERY_MAX = 24  # images shown at first; "Show more" adds as many again
GALLERY_CELL_PX = 104  # each mistake's box: as many per row as the screen holds (8 on a wide one, 3 on a phone)
GALLERY_CSS = f"""<style>
.nn-gallery {{ display: grid; grid-template-columns: repeat(auto-fill, minmax({GALLERY_CELL_PX}px, 1fr));
               gap: 0.75rem; }}
.nn-gallery figure {{ margin: 0; }}
.nn-gallery img {{ width: 100%; image-rendering: pixelated; border: 1px solid #ddd; }}
.nn-gallery figcaption {{ font-size: 0.9rem; line-height: 1.35; }}
.nn-gallery .pair {{ white-space: nowrap; }}
</style>"""


@st.cache_data(max_entries=8, show_spinner=False)
def _history_csv(history: list) -> bytes:
    return pd.DataFrame(history).to_csv(index=False).encode()


def upload_ui():
    """Load a saved .npz model as the tab's model; a bad file leaves the current model alone."""
    with st.expander("Load a saved model (.npz)", expanded=not state.has_model()):
        up = st.file_uploader("Model file", type=["npz"], key="model_upload",
                              help="A model downloaded from this page earlier. It must have been trained "
                                   "on the dataset selected in the sidebar.")
        if up is not None and up.file_id != st.session_state.upload_id:
            st.session_state.upload_id = up.file_id
            data = state.current_data()
            try:
                net, header = modelfile.load(up.getvalue())
                modelfile.check_compatible(header, net, data)
            except modelfile.ModelFileError as e:
                st.session_state.upload_error = (f"Could not use **{escape.markdown(up.name)}**: {e}. "
                                                 "The current model was kept.")
            else:
                state.set_model(net, history=header.get("history"), dataset=data.name,
                                 source=f"loaded from {up.name}", train_config=header.get("train") or None)
                st.session_state.upload_error = ""
                st.toast(f"Loaded {escape.markdown(up.name)}.", icon=":material/check_circle:")
        if st.session_state.upload_error:
            st.error(st.session_state.upload_error)


def downloads_ui(net, data):
    history = st.session_state.history
    c1, c2 = st.columns(2)
    c1.download_button("Download the model (.npz)", modelfile.model_bytes(
        net, data.meta(), history, st.session_state.train_config), file_name=f"nnlab-{data.name}-model.npz",
        mime="application/octet-stream", icon=":material/download:", width="stretch",
        help="Weights and settings in a safe NumPy file (no pickle). Load it again above.")
    c2.download_button("Download the training history (.csv)", _history_csv(history),
                       file_name=f"nnlab-{data.name}-history.csv", mime="text/csv", icon=":material/table:",
                       disabled=not history, width="stretch",
                       help="One row per epoch: losses, accuracies, learning rate, seconds.")


def _on_matrix_click():
    """A click on a cell of the confusion matrix chooses that (true, predicted)
    pair in *Show*.  A callback, so it acts once per click: choosing another
    entry in *Show* afterwards is not overridden by the chart's old selection."""
    event = st.session_state.get("confusion") or {}
    cell = figures.clicked_cell(event.get("selection", {}).get("points", []))
    if cell is not None:
        st.session_state.eval_pair = cell if cell[0] != cell[1] else None
        st.session_state.eval_clicked_diagonal = cell[0] == cell[1]


def pair_ui(cm, classes):
    """Choose which mistakes to show: all, or one (true, predicted) cell.  A clicked cell
    without images is offered too (with 0), so the outlined cell and *Show* agree and the
    gallery says it is empty, rather than silently showing every mistake."""
    n = len(classes)
    pairs = sorted(((int(cm[t, p]), t, p) for t in range(n) for p in range(n) if t != p and cm[t, p] > 0),
                   reverse=True)
    options = [None] + [(t, p) for _, t, p in pairs]
    clicked = st.session_state.get("eval_pair")
    if (isinstance(clicked, tuple) and len(clicked) == 2 and clicked not in options
            and all(isinstance(i, int) and 0 <= i < n for i in clicked) and clicked[0] != clicked[1]):
        options.insert(1, clicked)  # an empty cell, just clicked
    if st.session_state.get("eval_clicked_diagonal"):
        st.session_state.eval_clicked_diagonal = False
        st.caption("That cell of the diagonal holds the images classified correctly; click a cell off the "
                   "diagonal to see one kind of mistake.")
    if st.session_state.get("eval_pair") not in options:
        st.session_state.eval_pair = None
    counts = {(t, p): c for c, t, p in pairs}
    return st.selectbox(
        "Show", options, key="eval_pair",
        format_func=lambda o: f"all {int(cm.sum() - np.trace(cm))} mistakes" if o is None
        else f"true {classes[o[0]]} → predicted {classes[o[1]]} ({counts.get(o, 0)})",
        help="Click a cell of the confusion matrix (or pick it here) to see exactly those images.")


def _show_more(pair, shown):
    st.session_state.eval_gallery = (pair, shown + GALLERY_MAX)


def gallery_ui(X, y, pred, proba, classes, image_shape, pair):
    wrong = np.flatnonzero(pred != y)
    if pair is not None:
        wrong = wrong[(y[wrong] == pair[0]) & (pred[wrong] == pair[1])]
    if wrong.size == 0:
        if pair is None:
            st.success("No mistakes: every test image is classified correctly.")
        else:
            st.info(f"No test image is a {escape.markdown(classes[pair[0]])} read as "
                    f"{escape.markdown(classes[pair[1]])}.", icon=":material/info:")
        return
    more = st.session_state.eval_gallery  # (cell, images shown) after "Show more"; another cell starts at 24
    shown = min(wrong.size, more[1] if more is not None and more[0] == pair else GALLERY_MAX)
    st.caption(f"Showing {shown:,} of {wrong.size:,}. Under each image: the true "
               "label → the prediction, and the three most likely classes.")
    # One grid that fills each row with as many images as fit: no caption squeezed into an
    # eighth of a 1024 px screen, no column per image stacked full-width on a phone.
    cells = []
    for i in wrong[:shown]:
        top = np.argsort(proba[i])[::-1][:3]
        src = _png_data_uri(figures.image_array(X[i].reshape(image_shape), 1.0, scale=max(1, 96 // image_shape[0])))
        true, said = html.escape(str(classes[y[i]])), html.escape(str(classes[pred[i]]))
        likely = "<br>".join(f"{html.escape(str(classes[c]))}: {proba[i, c]:.0%}" for c in top)
        cells.append(f'<figure><img src="{src}" alt="true {true}, predicted {said}">'
                     f'<figcaption><span class="pair">true <b>{true}</b> → <b>{said}</b></span><br>'
                     f'<small>{likely}</small></figcaption></figure>')
    st.html(GALLERY_CSS + '<div class="nn-gallery">' + "".join(cells) + "</div>")
    if shown < wrong.size:
        st.button(f"Show {min(GALLERY_MAX, wrong.size - shown)} more", key="eval_more", icon=":material/expand_more:",
                  on_click=_show_more, args=(pair, shown), help=f"{wrong.size - shown:,} more not shown yet.")


def _png_data_uri(a: np.ndarray) -> str:
    buf = io.BytesIO()
    Image.fromarray(a).save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def per_class_table(report: pd.DataFrame) -> pd.DataFrame:
    """Precision, recall and F1 in % (like every other score here; whole percents, so
    the five columns fit half of a 1024 px screen), support with thousands
    separators, the column names as the text above calls them."""
    return pd.DataFrame({"Precision": report["precision"].map("{:.0%}".format),
                         "Recall": report["recall"].map("{:.0%}".format),
                         "F1": report["f1"].map("{:.0%}".format),
                         "Support": report["support"].map("{:,}".format)},
                        index=report.index.rename("Class"))


def evaluate_page():
    common.frame()
    st.title("Evaluate")
    st.markdown("How well does the model do on the **test set** — examples it never saw while training?")
    upload_ui()
    if not state.has_model():
        common.no_model_ui("evaluate")
        return
    net, data = st.session_state.net, state.model_data() or state.current_data()
    if data.n_features != net.config.n_inputs or data.n_classes != net.config.n_outputs:
        st.error(f"The model does not fit the dataset {data.name!r}. Choose the dataset it was trained on "
                 "in the sidebar, or train a new model.")
        return
    if data.name != state.current_dataset_name():
        st.info(f"This model was trained on **{data.name}**; it is evaluated on that dataset's test set.")

    y = data.y_test
    loss, acc, proba = net.evaluate_with_proba(data.X_test, y)  # one forward pass for all three
    pred = proba.argmax(axis=1)
    classes = [str(c) for c in data.classes]
    row = st.container(horizontal=True)  # a phone shows them two by two, not one under another
    row.metric("Test accuracy", f"{acc:.1%}", help="Share of test images classified correctly.")
    row.metric("Test loss", f"{loss:.3f}", help="The loss the model was trained to lower, on the test set.")
    row.metric(f"Test {wording.examples(data)}", f"{len(y):,}")
    row.metric("Mistakes", f"{int((pred != y).sum()):,}")

    left, right = st.columns(2)  # half each: the per-class table keeps its Support column at 1024x768
    with left:
        normalized = st.toggle("Normalise rows (share of each true class)", key="eval_normalize",
                               help="Show each row as percentages, so classes with fewer images compare fairly.")
        cm = metrics.confusion(y, pred, len(classes))
        shown = metrics.confusion(y, pred, len(classes), normalize=True) if normalized else cm
        pair = st.session_state.get("eval_pair")
        st.plotly_chart(figures.confusion_figure(shown, classes, normalized, selected=pair),
                        key="confusion", on_select=_on_matrix_click, selection_mode="points",
                        config={"displayModeBar": False})
        if data.image_shape:
            st.caption("Click a cell to see its images below.")
    with right:
        ex = wording.examples(data)
        st.markdown(f"**Per class** (precision: of the {ex} predicted as this class, how many were; "
                    f"recall: of this class's {ex}, how many were found; F1: both in one number)")
        # A static table: all four columns stay on screen at 1024x768, no blank row at the end.
        st.table(per_class_table(metrics.per_class_report(y, pred, classes)))

    st.subheader("Misclassified images")
    if data.image_shape:
        pair = pair_ui(cm, classes)
        gallery_ui(data.X_test, y, pred, proba, classes, data.image_shape, pair)
    else:
        st.caption("This dataset is not made of images; see the table above.")

    st.subheader("Download")
    downloads_ui(net, data)


errors.run(evaluate_page)
