"""nnlab dashboard: `streamlit run app.py`.

A thin router: page config and st.navigation over the pages in pages/.
Each page starts with `common.frame()` (state + the shared sidebar).
"""
import nnlab  # noqa: F401  first, before NumPy is imported: see nnlab/fast/openblas.py

import streamlit as st  # noqa: E402

from pages import errors  # noqa: E402

st.set_page_config(page_title="nnlab — neural networks from scratch", page_icon=":material/neurology:",
                   layout="wide")


def _start():
    """The app's root URL: go to Train.  Streamlit serves its default page at "/"
    only, never at its own name; with this hidden page as the default, Train
    lives at /train like every other page at /<its name> (a link to /train works).
    A shared link's parameters (/?hidden=64) go along (pages/share.py)."""
    st.switch_page("pages/train.py", query_params={k: st.query_params.get_all(k) for k in st.query_params})


page = st.navigation([
    st.Page(_start, title="nnlab", url_path="start", default=True, visibility="hidden"),
    st.Page("pages/data.py", title="Data", icon=":material/dataset:", url_path="data"),
    st.Page("pages/train.py", title="Train", icon=":material/model_training:", url_path="train"),
    st.Page("pages/evaluate.py", title="Evaluate", icon=":material/grid_on:", url_path="evaluate"),
    st.Page("pages/draw.py", title="Draw", icon=":material/draw:", url_path="draw"),
    st.Page("pages/inside.py", title="Inside", icon=":material/network_intelligence:", url_path="inside"),
    st.Page("pages/compare.py", title="Compare", icon=":material/compare_arrows:", url_path="compare"),
    st.Page("pages/sweep.py", title="Sweep", icon=":material/tune:", url_path="sweep"),
    st.Page("pages/playground.py", title="Playground", icon=":material/scatter_plot:", url_path="playground"),
    st.Page("pages/lessons.py", title="Lessons", icon=":material/school:", url_path="lessons"),
])
errors.run(page)
