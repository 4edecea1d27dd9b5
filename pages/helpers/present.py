"""Presenter mode (a link's `present=1`) and where a link's short list of controls
(`controls=lr,hidden`) is drawn.  Not a page.

Presenter mode: large type, read from the back of a room; the sidebar starts closed so
the page fills the projector.  A list of controls puts exactly those on the page itself,
above the Train buttons, where the room sees them (the others keep their values, undrawn:
pages/helpers/controls.py `drawn`).
"""
from __future__ import annotations

from contextlib import contextmanager

import streamlit as st

# Streamlit sizes text in rem: a larger root size scales text, widgets and spacing
# alike (charts keep their own sizes; they are drawn for a 1280x720 projector already).
CSS = """
<style>
@media (min-width: 640px) {  /* a projector, not a learner's phone */
  html { font-size: 21px; }
  [data-testid="stMainBlockContainer"] h1 { font-size: 2.6rem; }
  [data-testid="stMarkdownContainer"] p, [data-testid="stWidgetLabel"] p { font-size: 1.05rem; }
}
</style>
"""


def apply():
    if st.session_state.presenting:
        st.set_page_config(initial_sidebar_state="collapsed")
        st.html(CSS)


def _show_all():
    st.session_state.show_only = ()


@contextmanager
def controls_area(title: str = "Training controls"):
    """The training controls' place: the sidebar, or — a link lists some — the page itself."""
    if st.session_state.show_only:
        with st.container(border=True, key="listed_controls", horizontal=True, gap="medium"):
            yield
            st.button("All controls", key="show_all_controls", type="tertiary", icon=":material/tune:",
                      on_click=_show_all, help="Show every control again, in the sidebar (this tab only).")
    else:
        with st.sidebar:
            st.subheader(title)
            yield
