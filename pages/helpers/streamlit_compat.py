"""Workarounds for Streamlit behaviour, each in one place, with the versions that need it.

Not a page: ``pages/helpers/common.py`` calls it first thing on every page.
"""
from __future__ import annotations

import streamlit as st


def _pages_manager():
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # Streamlit < 1.36 (no st.navigation) or a future one without this module
        return None
    return PagesManager


def leave_pages_folder_mode(manager=None, state=None, rerun=None) -> bool:
    """Switch Streamlit's pages/-folder ("v1") mode off if this page runs in it; True if it did.

    Why: a folder named pages/ next to app.py makes Streamlit (1.36 and later, where
    st.navigation arrived; checked on 1.67.0) run a page on its own in some cases
    (a deep link right after the server starts), with every module in pages/
    listed in the sidebar.  The flag is Streamlit's own private class attribute
    ``PagesManager.uses_pages_directory``; ``st.navigation`` clears it the same way
    on every run of app.py (streamlit/commands/navigation.py), and a rerun then
    goes through app.py's real pages.  A Streamlit without the module
    (ImportError) or the attribute (AttributeError) simply runs the page.

    Reruns once per session: AppTest sets the flag again before every run, and a
    rerun there would swallow the widget action that started the run.
    `manager`, `state`, `rerun` are for tests (default: Streamlit's)."""
    manager = _pages_manager() if manager is None else manager
    state = st.session_state if state is None else state
    try:
        if manager is None or not manager.uses_pages_directory:
            return False
        manager.uses_pages_directory = False
    except AttributeError:  # a Streamlit that renamed or dropped the flag
        return False
    if not state.get("left_pages_folder_mode"):  # read before init_state runs
        state["left_pages_folder_mode"] = True
        (st.rerun if rerun is None else rerun)()
    return True


# A script for the page (st.html runs it once per page load: the flag on `window` keeps a
# rerun from adding a second observer).  Streamlit's own attribute on its app element says
# when the connection is lost and back.
_RELOAD_AFTER_RECONNECT = """<script>
(() => {
  if (window.nnlabReloadsAfterReconnect) return;
  window.nnlabReloadsAfterReconnect = true;
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app) return;
  let lost = false;
  new MutationObserver(() => {
    const state = app.getAttribute("data-test-connection-state");
    if (state && state !== "CONNECTED") lost = true;
    else if (lost && state === "CONNECTED") window.location.reload();
  }).observe(app, {attributes: true, attributeFilter: ["data-test-connection-state"]});
})();
</script>"""


def reload_after_reconnect():
    """Reload the page when its connection to the server comes back.

    Why: a tab whose server was restarted (a crash, a deploy, `serve.py` starting a dead
    process again) reconnects to a new, empty session, and Streamlit (checked on 1.67.0)
    reruns only the *default* page then: a tab on /train shows its old page with no session
    behind it, and its first click in the sidebar opened a new, empty lab (navigation drops
    the address's ?lab=).  Reloading the address (which holds ?lab=) brings the tab's lab
    back from the store, a training under way paused at its last checkpoint (docs/lab.md)
    — what a reload does anyway.  A Streamlit without the attribute simply never reloads.
    tests/test_deploy.py kills the process a tab is on and checks the lab is there after."""
    st.html(_RELOAD_AFTER_RECONNECT, unsafe_allow_javascript=True)
