"""nnlab dashboard: `streamlit run app.py`.

A thin router: page config and st.navigation over the pages in pages/.
Each page starts with `common.frame()` (state + the shared sidebar).
"""
import nnlab  # noqa: F401  first, before NumPy is imported: see nnlab/fast/openblas.py

from pathlib import Path  # noqa: E402
from urllib.parse import urlsplit  # noqa: E402

import streamlit as st  # noqa: E402

from nnlab.viz import escape  # noqa: E402
from pages.helpers import errors  # noqa: E402

# A file of the app's own, not a ":material/...:" icon: Streamlit fetches those as
# favicons from fonts.gstatic.com, and the app asks nothing of other hosts (docs/themes.md).
ICON = Path(__file__).parent / "assets" / "icon.png"
st.set_page_config(page_title="nnlab — neural networks from scratch", page_icon=ICON, layout="wide")


def requested_page(url) -> str:
    """The page name the browser asked for ("" for the app's root), from st.context.url."""
    path = urlsplit(url or "").path.strip("/")
    base = st.get_option("server.baseUrlPath").strip("/")
    if base and (path == base or path.startswith(base + "/")):
        path = path[len(base):].strip("/")
    return path


def _start():
    """The app's root URL: go to Train.  Streamlit serves its default page at "/"
    only, never at its own name; with this hidden page as the default, Train
    lives at /train like every other page at /<its name> (a link to /train works).
    A shared link's parameters (/?hidden=64) go along (pages/helpers/share.py).

    Streamlit also runs the default page for a URL that names no page (st.navigation
    has no "not found" hook): that one says so and lists the pages."""
    asked = requested_page(st.context.url)
    if asked in ("", "start"):
        st.switch_page("pages/train.py", query_params={k: st.query_params.get_all(k) for k in st.query_params})
    st.title("No such page")
    st.markdown(f"There is no page at **{escape.markdown('/' + asked)}** here. The pages:")
    for page in PAGES[1:]:
        st.page_link(page)


PAGES = [
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
    st.Page("pages/room.py", title="Room", icon=":material/groups:", url_path="room"),
]
errors.run(st.navigation(PAGES))
