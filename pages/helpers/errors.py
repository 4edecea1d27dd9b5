"""The last net under every page: an unexpected error shows one plain sentence,
never a traceback (file paths, code) — and goes to the server's log in full.

Streamlit's own control flow (st.rerun, st.stop, st.switch_page) raises
BaseExceptions, which pass through.  Errors in widget callbacks happen before the
page runs; Streamlit's `client.showErrorDetails = "none"` (.streamlit/config.toml)
keeps their details off the screen too.

NNLAB_SHOW_ERRORS=1 lets errors through to Streamlit as they are: the test suite
sets it, so that AppTest still reports a page's exception as a failure.
"""
from __future__ import annotations

import logging
import os

import streamlit as st

from pages.helpers import lab

log = logging.getLogger("nnlab.app")

PLAIN = ("Something went wrong on this page — that is a bug in nnlab, not something you did. "
         "Your model and runs are kept: go back to the page you came from, or reload this one.")


def run(page):
    """Run `page` (a page's function, or app.py's st.navigation page); an unexpected
    error: PLAIN on screen, the traceback in the log.  Each page calls it too, as the
    last line of its file: Streamlit runs a page on its own, without app.py, in its
    pages/-folder mode (pages/helpers/streamlit_compat.py)."""
    try:
        page.run() if hasattr(page, "run") else page()
        if not hasattr(page, "run"):  # a page's own function (each page file ends with this call)
            lab.save()  # what this run changed, into the tab's lab (pages/helpers/lab.py)
    except Exception:
        if os.environ.get("NNLAB_SHOW_ERRORS"):
            raise
        log.exception("page %r failed", getattr(page, "url_path", page))
        st.error(PLAIN, icon=":material/error:")
