"""nnlab dashboard: `streamlit run app.py`.

A thin router: page config and st.navigation over the pages in pages/.
Each page starts with `common.frame()` (state + the shared sidebar).
"""
import nnlab  # noqa: F401  first, before NumPy is imported: see nnlab/fast/openblas.py

import streamlit as st  # noqa: E402

st.set_page_config(page_title="nnlab — neural networks from scratch", page_icon=":material/neurology:",
                   layout="wide")

st.navigation([
    st.Page("pages/data.py", title="Data", icon=":material/dataset:"),
    st.Page("pages/train.py", title="Train", icon=":material/model_training:", default=True),
    st.Page("pages/evaluate.py", title="Evaluate", icon=":material/grid_on:"),
    st.Page("pages/draw.py", title="Draw", icon=":material/draw:"),
    st.Page("pages/compare.py", title="Compare", icon=":material/compare_arrows:"),
]).run()
