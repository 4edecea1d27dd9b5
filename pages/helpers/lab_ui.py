"""The sidebar's lab section: what is kept, New lab, Delete this lab, the warning when
nothing is kept, and a notice said once (a bad address, what could not be brought back).
The lab itself: pages/helpers/lab.py.  Not a page.
"""
from __future__ import annotations

import streamlit as st

from nnlab.store import StoreError
from pages.helpers import lab


def _new_lab(delete: bool = False):
    """Button callback: an empty lab (this one deleted first when asked), the tab started afresh."""
    old = st.session_state.lab_token
    try:
        if delete and old:
            lab.store().delete_lab(old)
        token = lab.store().create_lab()
    except StoreError as e:
        lab.fail(e)
        return
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    st.session_state.lab_token = token
    st.session_state.lab_notice = ("The lab was deleted: its runs, models and data are gone. This is a new, empty "
                                   "lab." if delete else "This is a new, empty lab. The previous one is still at "
                                   "its own address.")
    st.query_params[lab.QUERY] = token


def lab_ui():
    """The sidebar's lab section: what is kept, New lab, Delete this lab; the warning when nothing is."""
    s = st.session_state
    why = ("its database server does not answer" if s.get("lab_busy_kind") == "no-server"
           else "the lab's database is busy (locked by another process)")
    warning = s.lab_off or lab.store().warning or (
        f"Your work could not be saved just now: {why}. "
        "It is kept in this tab; saving is tried again in a moment." if s.get("lab_busy") else "")
    if warning:
        st.warning(warning, icon=":material/cloud_off:")
    else:
        st.caption("Your work is kept at this page's address: bookmark it to come back to this lab.")
    c1, c2 = st.columns(2)
    c1.button("New lab", icon=":material/add:", key="lab_new", on_click=_new_lab, width="stretch",
              help="Start an empty lab (no model, no runs). This one stays at its own address.")
    with c2.popover("Delete", icon=":material/delete:", width="stretch",
                    help="Delete this lab: its model, runs, sweep and uploaded data."):
        st.markdown("Delete this lab's model, runs, sweep and uploaded data **for good**?")
        st.button("Delete this lab", type="primary", key="lab_delete", on_click=_new_lab, kwargs={"delete": True})


def notice_ui():
    """A bad address or what could not be brought back, once."""
    if st.session_state.get("lab_notice"):
        st.info(st.session_state.lab_notice, icon=":material/science:")
        st.session_state.lab_notice = ""
