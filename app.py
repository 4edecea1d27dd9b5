"""nnlab dashboard: `streamlit run app.py`.

A thin router: page config and st.navigation over the pages in pages/.
Each page starts with `common.frame()` (state + the shared sidebar).
"""
from pathlib import Path

import streamlit as st

HERE = Path(__file__).parent

st.set_page_config(page_title="nnlab — neural networks from scratch", page_icon=":material/neurology:",
                   layout="wide")

pages = [
    st.Page("pages/train.py", title="Train", icon=":material/model_training:", default=True),
    st.Page("pages/evaluate.py", title="Evaluate", icon=":material/grid_on:"),
    st.Page("pages/draw.py", title="Draw", icon=":material/draw:"),
]
if (HERE / "pages" / "data.py").exists():  # dataset upload / preview (the data issue)
    pages.insert(0, st.Page("pages/data.py", title="Data", icon=":material/dataset:"))
st.navigation(pages).run()
