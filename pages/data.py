"""Data: choose what the network learns from (digits, MNIST, your own CSV), look
at it, and turn Kaggle's test.csv into a submission.csv with the tab's model.

A bad file never replaces good data: it is refused with one line saying why,
and the dataset and model in use stay as they were.
"""
import hashlib
import os

import streamlit as st

from nnlab.data import datasets as nndata
from nnlab.data.dataerror import MAX_FILE_MB, NoLabelColumn, Unreachable
from nnlab.experiments import kaggle
from nnlab.viz import preview
from pages.helpers import common, errors, state, wording

DATASET_KEY = state.WIDGET_PREFIX + "dataset"
LABELS = wording.DATASET_LABELS
IMAGES = {"auto": "auto-detect", "images": "square images", "features": "plain features"}


def _use(name: str):
    """Callback: make `name` the dataset of Train, Evaluate and Draw."""
    st.session_state[DATASET_KEY] = name
    st.toast(f"Now using **{LABELS.get(name, name)}** on every page.", icon=":material/check_circle:")


def _use_mnist():
    """Callback: load MNIST from the folder field (empty: $NNLAB_MNIST_DIR, else OpenML)."""
    folder = st.session_state.data_mnist_dir.strip()
    kwargs = {"data_dir": folder} if folder else {}
    try:
        state.load_source("mnist", kwargs)
    except Unreachable:  # the CLI's message names flags and variables: the page says it in its words
        st.session_state.data_mnist_error = wording.MNIST_OFFLINE
        return
    except ValueError as e:
        st.session_state.data_mnist_error = f"Could not load MNIST: {e}. The data in use was kept."
        return
    st.session_state.data_mnist_error = ""
    st.session_state.data_sources = {**st.session_state.data_sources, "mnist": {"kwargs": kwargs}}
    _use("mnist")


def digits_ui():
    st.markdown("scikit-learn's 1,797 handwritten digits, 8x8 pixels with values 0..16: small, so "
                "networks train in seconds. Split 721 / 482 / 594 as in the first tutorial.")
    st.button("Use digits", on_click=_use, args=("digits",), disabled=state.current_dataset_name() == "digits")


def mnist_ui():
    st.markdown("70,000 handwritten digits, 28x28 pixels: the official 10,000 test images are the test set, "
                "the last 5,000 of the 60,000 training images the validation set.")
    st.session_state.setdefault("data_mnist_dir", os.environ.get(nndata.MNIST_ENV, ""))
    # Where it comes from, without the server's folder: the page may be on a projector.
    source = "the IDX files set up on this server" if st.session_state.data_mnist_dir.strip() else \
        "OpenML (downloaded once, needs internet)"
    st.caption(f"Source: {source}.")
    with st.expander("Advanced: load MNIST from another folder on the server"):
        st.text_input("Folder with the MNIST IDX files", key="data_mnist_dir",
                      placeholder="e.g. ~/data/mnist — empty: download from OpenML (needs internet)",
                      help="The four files train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte "
                           f"and t10k-labels-idx1-ubyte, gzipped (.gz) or not. Default: ${nndata.MNIST_ENV}.")
    st.button("Use MNIST", on_click=_use_mnist, help="Loads in about a second from IDX files.")
    if st.session_state.data_mnist_error:  # here, under the title and the button, not above the page
        st.error(st.session_state.data_mnist_error, icon=":material/error:")
        st.session_state.data_mnist_error = ""


def _accept_upload(up, label: str, images: str):
    raw = up.getvalue()
    key = hashlib.sha256(raw).hexdigest()
    kwargs = {"label_column": label or None, "images": images, "name": up.name}
    try:
        state.load_source("csv", kwargs, key, _data=raw)
    except NoLabelColumn as e:  # the CLI says to rename the column; here there is a box for it
        st.session_state.data_upload_error = (
            f"Could not use **{up.name}**: no label column found (columns: {e.found}). Type the name of the "
            "column that holds the classes in the **Label column** box above; nothing was changed.")
        return
    except ValueError as e:
        st.session_state.data_upload_error = f"Could not use **{up.name}**: {e}. Nothing was changed."
        return
    st.session_state.data_sources = {**st.session_state.data_sources,
                                     "csv": {"kwargs": kwargs, "key": key, "data": raw}}
    st.session_state.data_upload_error = ""


def csv_ui() -> str:
    """The upload box.  Returns what the preview below shows: "" (nothing), or a
    caption naming the CSV it belongs to when that is not the file in the box."""
    st.markdown("A CSV with a header, one **label** column (or `class`, `target`, `y`, `digit`) and numeric "
                "feature columns — or pixels of square images (8x8, 16x16, 28x28, ...), like Kaggle's "
                "digit-recognizer `train.csv`. Split 64 / 16 / 20 % (seeded, stratified).")
    up = st.file_uploader(f"CSV file (at most {MAX_FILE_MB} MB)", type=["csv", "txt", "gz"], key="data_upload")
    c1, c2 = st.columns(2)
    label = c1.text_input("Label column", key="data_label_column", placeholder="auto-detect")
    images = c2.radio("Rows are", list(IMAGES), format_func=IMAGES.get, key="data_images", horizontal=True)
    if up is None:  # the box was emptied (or another page was shown): its file's error goes with it
        st.session_state.data_upload_sig, st.session_state.data_upload_error = None, ""
    else:
        sig = (up.file_id, label.strip(), images)
        if sig != st.session_state.data_upload_sig:  # each upload (and option change) is parsed once
            st.session_state.data_upload_sig = sig
            _accept_upload(up, label.strip(), images)
    if st.session_state.data_upload_error:
        st.error(st.session_state.data_upload_error, icon=":material/error:")
    kept = st.session_state.data_sources.get("csv")
    if kept is None:
        return ""
    name = kept["kwargs"].get("name") or "the earlier upload"
    in_use = state.current_dataset_name() == "csv"
    if st.session_state.data_upload_error:
        # The refused file has no button or preview; an earlier CSV still in use stays usable, named.
        return f"Still in use: **{name}**, uploaded earlier." if in_use else ""
    st.button("Use this CSV", on_click=_use, args=("csv",), type="primary", disabled=in_use,
              help=f"Train, Evaluate and Draw use {name}.")
    return "" if up is not None else f"Uploaded earlier: **{name}**{' (in use)' if in_use else ''}."


def preview_ui(data: nndata.Dataset, whose: str = ""):
    """`whose`: a caption naming the file previewed when it is not the one in the upload box."""
    sizes = data.sizes()
    st.subheader("Preview")
    if whose:
        st.caption(whose)
    title = wording.dataset_title(data)
    shape = f"{data.n_features:,} features, {data.n_classes:,} classes"
    tail = "" if shape in title else f"; {shape}"  # a CSV's title already says it: once is enough
    st.markdown(f"**{title}** — {sizes['train']:,} training, {sizes['validation']:,} "
                f"validation, {sizes['test']:,} test {wording.examples(data)}{tail}.")
    for note in data.notes:
        st.caption(note)
    left, right = st.columns(2)
    left.markdown("**First rows**")
    left.dataframe(preview.first_rows(data, 8), hide_index=True)  # many columns: this one scrolls sideways
    right.markdown("**Rows per class**")
    # a static table: its few columns all stay on screen at 1024x768 (a data grid hid "total")
    right.table(preview.class_counts(data).set_index("class").map("{:,}".format))
    if data.image_shape:
        h, w = data.image_shape
        st.markdown(f"**The first 40 training images** ({h}x{w})")
        st.image(preview.image_grid(data.X_train, data.image_shape, n=40, cols=10))


def kaggle_ui():
    st.subheader("Kaggle submission")
    st.markdown("Upload Kaggle's Digit Recognizer **test.csv** (28,000 rows of `pixel0..pixel783`) and download "
                "the predictions of this tab's model as **submission.csv** (`ImageId,Label`).")
    net, data = st.session_state.net, state.model_data()
    if net is None or data is None:
        st.info("Train a model first (on MNIST or Kaggle's train.csv), or load one on **Evaluate**.")
        return
    up = st.file_uploader("test.csv", type=["csv", "gz"], key="kaggle_upload")
    if up is not None:
        sig = (up.file_id, id(net), len(st.session_state.history))
        if sig != st.session_state.kaggle_sig:
            st.session_state.kaggle_sig = sig
            try:
                with st.spinner("Predicting…"):
                    text = kaggle.submission_from_csv(net, {"data": data.meta()}, up.getvalue(), what="upload")
            except ValueError as e:  # DataError or ModelFileError: the model stays
                st.session_state.kaggle_csv, st.session_state.kaggle_error = "", f"Could not predict **{up.name}**: {e}"
            else:
                st.session_state.kaggle_csv, st.session_state.kaggle_error = text, ""
    if st.session_state.kaggle_error:
        st.error(st.session_state.kaggle_error, icon=":material/error:")
    if up is not None and st.session_state.kaggle_csv:
        n = st.session_state.kaggle_csv.count("\n") - 1
        st.download_button(f"Download submission.csv ({n:,} predictions)", st.session_state.kaggle_csv,
                           file_name="submission.csv", mime="text/csv", icon=":material/download:")


def data_page():
    common.frame(data_error_here=False)
    st.title("Data")
    common.data_error_ui()  # under the title: a dataset chosen in the sidebar that could not be loaded
    st.markdown("Choose what the network learns from. The choice applies to **Train**, **Evaluate** and **Draw** "
                "(and shows in the sidebar); a file that cannot be used changes nothing.")
    names = [n for n in LABELS if n in nndata.DATASETS]
    st.session_state.setdefault("data_view", state.current_dataset_name())
    view = st.radio("Source", names, format_func=LABELS.get, key="data_view", horizontal=True)
    if view == "csv":
        whose = csv_ui()
        shown = bool(whose) or ("csv" in st.session_state.data_sources and not st.session_state.data_upload_error)
    else:
        {"digits": digits_ui, "mnist": mnist_ui}[view]()
        whose = ""
        shown = view == "digits" or view in st.session_state.data_sources or view == state.current_dataset_name()
    if shown:
        try:
            preview_ui(state.load_data(view), whose)
        except ValueError as e:
            st.error(f"Could not load {LABELS[view]}: {e}", icon=":material/error:")
    st.divider()
    kaggle_ui()


errors.run(data_page)
