"""Shared links in the app (the link format: nnlab/sharelink.py).  Not a page.

A link opened is applied once per tab, in `common.frame()` before any widget is
drawn: the training controls get the setup a new tab starts with, overwritten by the
link's values; a page's own keys (the Sweep's) go to their controls; `present` and
`controls` to presenter mode.  Reruns, and the browser's Back to the link, do not apply
it again, so later changes stay; reloading the page (a new tab's session) does.
`load(params)` applies a link at once — a lesson's "Load this setup" — and marks it
applied for the page it then opens.

`share_ui(page)` is the Share button: the link of the page's current setup.
"""
from __future__ import annotations

import streamlit as st

from nnlab import hyperparams, sharelink
from pages import controls


def _params() -> dict:
    return {k: st.query_params.get_all(k) for k in st.query_params}


def apply_link():
    params = _params()
    if params:
        load(params)


def load(params: dict, again: bool = False):
    """Apply query parameters {name: [texts]}, unless this tab has applied them before
    (`again`: a button asks for them, so yes)."""
    signature = repr(sorted((k, list(v)) for k, v in params.items()))
    if signature in st.session_state.link_applied and not again:
        return
    if signature not in st.session_state.link_applied:
        st.session_state.link_applied.append(signature)
    apply(sharelink.decode(params))


def set_controls(settings: dict):
    """The training controls (and the dataset box) show `settings` over the setup a new tab starts with."""
    settings = {**controls.START, **settings}
    for key, value in controls.widget_values(settings).items():
        st.session_state[controls.K + key] = value
    st.session_state[controls.K + "dataset"] = settings["dataset"]


def apply(link: sharelink.Link):
    """Put a decoded link's values into the controls; note what was ignored or adjusted."""
    s = st.session_state
    settings = {k: v for k, v in link.values.items() if k in hyperparams.BY_NAME}
    set_controls(settings)
    for key in sharelink.all_keys().values():
        if key.state and key.name in link.values:
            s[key.state] = link.values[key.name]
        elif key.state:
            s.pop(key.state, None)  # the page's own default
    s.presenting = link.values.get("present", False)
    s.show_only = link.values.get("controls", ())
    s.link_notice = sharelink.describe(link.ignored + adjusted(settings))
    s.link_loaded = len(link.values)


def adjusted(settings: dict) -> list:
    """(name, text, reason) for each linked setting the controls do not show as given:
    a value between the ones a control offers, more layers than it has, a setting the
    chosen optimizer does not take."""
    shown, keys, out = controls.read_controls(), sharelink.all_keys(), []
    for name, value in settings.items():
        if value is None or name == "dataset":  # none: "the usual one", which the control shows
            continue
        text = keys[name].format(value)
        if name not in shown:
            out.append((name, text, f"not used by {shown['optimizer']}"))
        elif keys[name].format(shown[name]) != text:
            out.append((name, text, f"the control offers {keys[name].format(shown[name])}"))
    return out


def notice_ui():
    """Once after a link was applied: what it set, and what it could not."""
    s = st.session_state
    if s.link_notice:
        st.warning(f"**Part of this link was not used:** {s.link_notice}. The rest of its setup is loaded.",
                   icon=":material/link_off:")
        s.link_notice = ""
    if s.link_loaded:
        st.toast(f"Loaded the shared setup ({s.link_loaded} setting{'s' if s.link_loaded != 1 else ''} "
                 "from the link).", icon=":material/link:")
        s.link_loaded = 0


# ------------------------------------------------------------------ the Share button
def current_values(page: str) -> dict:
    """The page's shareable values now: the controls' settings, the page's own keys, presenter options."""
    values = controls.read_controls()
    for key in sharelink.PAGES[page].keys:
        if key.state and key.state in st.session_state:
            values[key.name] = st.session_state[key.state]
    values["present"] = st.session_state.get("share_present", False)
    values["controls"] = tuple(st.session_state.get("share_controls", ()))
    return values


def link(page: str) -> str:
    """The page's setup as a full link (a relative one where the browser's URL is unknown, as in tests)."""
    values = current_values(page)
    if values.get("dataset") in sharelink.UPLOADED:
        values.pop("dataset")
    pairs = sharelink.encode(page, values, base=controls.START)
    url = (st.context.url or "").split("?")[0].rstrip("/")
    base = url[:-len(page) - 1] if url.endswith("/" + page) else url
    return f"{base}/{page}" + (f"?{sharelink.query(pairs)}" if pairs else "")


def share_ui(page: str):
    """A Share button that shows the link of this page's setup, with presenter options."""
    s = st.session_state
    s.setdefault("share_present", s.presenting)
    s.setdefault("share_controls", list(s.show_only))
    with st.popover("Share", icon=":material/share:", help="A link to this setup, to put on the screen or send."):
        st.markdown("**This setup as a link.** Whoever opens it gets the same dataset, network and training "
                    "settings — a setup to train, not a trained model.")
        st.toggle("Presenter mode", key="share_present",
                  help="Large type for a projector, the sidebar closed.")
        labels = {n: controls.LABELS.get(n, n) for n in sharelink.CONTROLS}
        st.multiselect("Show only these controls", list(sharelink.CONTROLS), key="share_controls",
                       format_func=labels.get, placeholder="all of them",
                       help="The link shows only these controls, on the page itself; the others keep the "
                            "link's values, hidden. One idea at a time.")
        st.code(link(page), language=None, wrap_lines=True)
        if st.session_state.get(controls.K + "dataset") in sharelink.UPLOADED:
            st.caption("Your uploaded dataset is not in the link (it stays in this browser): the link opens "
                       "on the digits.")
        st.caption("Settings left at their starting values are left out of the link.")


def title_ui(title: str, page: str):
    """The page's title with its Share button beside it."""
    row = st.container(horizontal=True, vertical_alignment="center")
    with row:
        st.title(title, width="stretch")
        share_ui(page)
