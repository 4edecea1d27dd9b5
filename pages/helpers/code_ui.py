"""The Code button (Train, and each run on Compare): the run's setup as a Python script
to take home, in two forms (nnlab/experiments/codegen, docs/code.md).  Scripts are plain text
made from the setup in a few milliseconds; nothing here trains."""
from __future__ import annotations

import streamlit as st

from nnlab.experiments import codegen
from nnlab.viz import escape
from pages.helpers import state


def _data_options(dataset: str) -> dict:
    """Where this tab's copy of `dataset` came from (its MNIST folder, its CSV's name and
    label column) and, for a CSV of images, how its pixels were scaled."""
    src = (st.session_state.data_sources.get(dataset) or {}).get("kwargs", {})
    out = {"data_path": src.get("data_dir") or src.get("path") or src.get("name"),
           "label_column": src.get("label_column")}
    if dataset == "csv":
        try:
            meta = state.load_data(dataset).meta()
        except ValueError:  # its source is gone: the script still names the file to give it
            meta = {}
        shape = meta.get("image_shape")
        out.update(image_shape=tuple(shape) if shape else None, pixel_max=float(meta.get("pixel_max") or 1.0))
    return out


def setup_of(dataset: str, settings: dict, name: str = "", changed=()) -> codegen.Setup | None:
    """The codegen Setup of a run's settings on `dataset` (None if they do not make one)."""
    try:
        return codegen.Setup.from_settings(dataset, settings, name=name, changed=list(changed),
                                           **_data_options(dataset))
    except (ValueError, TypeError):
        return None


def model_setup() -> codegen.Setup | None:
    """The setup of the tab's model as trained here (None without one, or for a model
    loaded from a file without its training settings)."""
    s = st.session_state
    if s.net is None or not s.train_config or not s.model_dataset:
        return None
    run = next((r for r in s.run_log.runs if r.model_id == s.model_serial), None)
    marks = s.trainer.marks if s.trainer is not None else []
    return setup_of(s.model_dataset, {**s.net.config.to_dict(), **s.train_config},
                    name=run.name if run is not None else "", changed=[m["note"] for m in marks])


def code_ui(setup: codegen.Setup | None, key: str):
    """A Code button: a popover with the two downloads and a line on each."""
    if setup is None:
        return
    with st.popover("Code", icon=":material/code:", help="This run's setup as a Python script to take home."):
        st.markdown("**Take this run home as a Python script.** Both print one line per epoch and end with "
                    "`validation accuracy NN.NN%`.")
        st.download_button("With nnlab (the same numbers)", codegen.api_script(setup),
                           file_name=codegen.file_name(setup), mime="text/x-python", key=f"{key}_api",
                           icon=":material/download:", on_click="ignore", width="stretch")
        st.caption("Retrains this model with nnlab's API: the same settings, seed and engine give the same "
                   "history, to the last digit. Run it where nnlab is installed.")
        st.download_button("NumPy only (every formula written out)", codegen.standalone_script(setup),
                           file_name=codegen.file_name(setup, standalone=True), mime="text/x-python",
                           key=f"{key}_numpy", icon=":material/download:", on_click="ignore", width="stretch")
        notes = ["The forward pass, backward pass, loss and optimizer for exactly this network, in about "
                 "200 readable lines; needs only NumPy and scikit-learn."]
        if setup.train["augment"]:
            notes.append("It leaves out augmentation (it trains on the images as they are), so its accuracy can "
                         "differ from this run's.")
        else:
            notes.append("It reaches this run's validation accuracy: it draws nnlab's random numbers in nnlab's "
                         "order.")
        if setup.path:
            notes.append(f"It reads the data from **{escape.markdown(setup.path)}**: give the path as its first "
                         "argument.")
        if setup.changed:
            notes.append("The settings changed while this model trained: both scripts train with the last ones "
                         "from the first epoch.")
        st.caption(" ".join(notes))
