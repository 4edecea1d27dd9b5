"""Shared links in the app (the link format: nnlab/experiments/sharelink.py).  Not a page.

A link opened is applied once per tab, in `common.frame()` before any widget is
drawn: the training controls get the setup a new tab starts with, overwritten by the
link's values; a page's own keys (the Sweep's) go to their controls; `present` and
`controls` to presenter mode.  The Playground's controls are its own (its page in
sharelink.PAGES has a prefix): a link opened there sets those and its data options,
and leaves the Train page's alone.  Reruns, and the browser's Back to the link, do not
apply it again, so later changes stay; reloading the page (a new tab's session) does.
`load(params)` applies a link at once — a lesson's "Load this setup" — and marks it
applied for the page it then opens.

`share_ui(page)` is the Share button: the link of the page's current setup, with the
server's network address instead of a local one (localhost reaches nobody else), and
as a QR code.
"""
from __future__ import annotations

import urllib.parse

import streamlit as st

from nnlab.core import hyperparams
from nnlab.core.types import number_text
from nnlab.data import toy2d
from nnlab.experiments import sharelink
from pages.helpers import controls, qr


def _params() -> dict:
    """The address's query parameters but the lab's token (a setup, not a lab: pages/helpers/lab.py)."""
    return {k: st.query_params.get_all(k) for k in st.query_params if k not in sharelink.NOT_SETUP}


def apply_link(page: str = "train"):
    params = _params()
    if params:
        load(params, page=page)


def load(params: dict, again: bool = False, page: str = "train"):
    """Apply query parameters {name: [texts]} to `page`'s controls, unless this tab has
    applied them before (`again`: a button asks for them, so yes)."""
    # (the same link applies alike on Train and Sweep, which share controls; the Playground's are its own)
    signature = repr((sharelink.PAGES[page].prefix, sorted((k, list(v)) for k, v in params.items())))
    if signature in st.session_state.link_applied and not again:
        return
    if signature not in st.session_state.link_applied:
        st.session_state.link_applied.append(signature)
    apply(sharelink.decode(params), page)


def start(page: str = "train") -> dict:
    """The setup `page`'s controls show in a new tab (what its links leave out)."""
    if not sharelink.PAGES[page].prefix:
        return controls.START
    return {**controls.settings_of(controls.widget_values(toy2d.START_SETTINGS).get), **toy2d.defaults()}


def set_controls(settings: dict, page: str = "train"):
    """The training controls (and the dataset box) of `page` show `settings` over the setup a new tab starts with."""
    prefix = sharelink.PAGES[page].prefix or controls.K
    settings = {**start(page), **settings}
    for key, value in controls.widget_values(settings).items():
        st.session_state[prefix + key] = value
    if prefix == controls.K:
        st.session_state[controls.K + "dataset"] = settings["dataset"]


def _state_keys(page: str) -> list:
    """The non-table keys a link opened on `page` sets (or puts back to their defaults):
    the page's own when its controls are its own, else those of every page sharing Train's."""
    pages = [sharelink.PAGES[page]] if sharelink.PAGES[page].prefix else \
        [p for p in sharelink.PAGES.values() if not p.prefix]
    return list({k.name: k for p in pages for k in p.keys if k.state}.values())


def apply(link: sharelink.Link, page: str = "train"):
    """Put a decoded link's values into `page`'s controls; note what was ignored or adjusted."""
    s = st.session_state
    settings = {k: v for k, v in link.values.items() if k in hyperparams.BY_NAME}
    ignored = list(link.ignored)
    # A link with a setup replaces the page's; one that only asks for the presenter's view
    # (`present`, `controls`: /room?room=CODE&present=1, a bookmark) keeps the tab's own.
    setup = any(name in sharelink.SETTING_KEYS for name in [*link.values, *(n for n, _, _ in ignored)])
    playground = bool(sharelink.PAGES[page].prefix)
    if setup:
        if playground:
            ignored += _playground_only(settings, link.values, page)
        set_controls(settings, page)
        for key in _state_keys(page):
            if key.name in link.values:
                s[key.state] = link.values[key.name]
            else:
                s.pop(key.state, None)  # the page's own default
        if playground:
            ignored += _snap_options(page)
        else:  # Train's controls no longer hold a lesson's setup (lessons.py sets it)
            s.lesson = s.lesson_before = None
    s.presenting = link.values.get("present", False)
    listed, own = link.values.get("controls", ()), sharelink.controls_of(page)
    s[show_only_key(page)] = tuple(n for n in listed if n in own)
    ignored += [("controls", n, "no such control on this page") for n in listed if n not in own]
    s.link_notice = sharelink.describe(ignored + adjusted(settings, page))
    not_used = {name for name, _, _ in ignored}
    s.link_loaded = sum(1 for name in link.values if name in sharelink.SETTING_KEYS and name not in not_used)


def show_only_key(page: str) -> str:
    """The session-state key of the controls a link lists for `page` (pages/helpers/controls.py `drawn`)."""
    prefix = sharelink.PAGES[page].prefix
    return prefix + "show_only" if prefix else "show_only"


def page_has(page: str, name: str) -> bool:
    return any(k.name == name for k in sharelink.PAGES[page].keys)


def _playground_only(settings: dict, values: dict, page: str = "playground") -> list:
    """What a link opened on the Playground cannot use (taken out of `settings`): another
    page's keys (the dataset, a sweep, a list of controls), and no hidden layer at all."""
    own, keys, out = {k.name for k in sharelink.PAGES[page].keys}, sharelink.all_keys(), []
    for name, value in values.items():
        if name not in own:
            settings.pop(name, None)
            out.append((name, keys[name].format(value), "not used on the Playground"))
    if settings.get("hidden") == []:
        settings.pop("hidden")
        out.append(("hidden", "none", "the Playground needs at least one hidden layer"))
    return out


def _snap_options(page: str) -> list:
    """The data options a link set that their sliders cannot show, moved to the nearest
    value a slider offers (a link may hold any value the option takes)."""
    out, prefix = [], sharelink.PAGES[page].prefix
    for o in toy2d.OPTIONS:
        value = st.session_state.get(prefix + o.name)
        if o.widget != "slider" or value is None:
            continue
        lo, hi, step = o.slider
        snapped = type(lo)(round(min(max(lo, round((value - lo) / step) * step + lo), hi), 10))
        if snapped != value:
            st.session_state[prefix + o.name] = snapped
            out.append((o.name, number_text(value), f"the control offers {number_text(snapped)}"))
    return out


def adjusted(settings: dict, page: str = "train") -> list:
    """(name, text, reason) for each linked setting the controls do not show as given:
    a value between the ones a control offers, more layers than it has, a setting the
    chosen optimizer does not take."""
    prefix = sharelink.PAGES[page].prefix or controls.K
    shown, keys, out = controls.read_controls(prefix=prefix), sharelink.all_keys(), []
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
    """Once after a link was applied, under the page's title: what it set (not a toast,
    which would cover the Share button), and what it could not."""
    s = st.session_state
    if s.link_notice:
        st.warning(f"**Part of this link was not used:** {s.link_notice}. The rest of its setup is loaded.",
                   icon=":material/link_off:")
        s.link_notice = ""
    if s.link_loaded:
        st.success(f"Loaded the shared setup ({s.link_loaded} setting{'s' if s.link_loaded != 1 else ''} "
                   "from the link).", icon=":material/link:")
        s.link_loaded = 0


# ------------------------------------------------------------------ the Share button
def current_values(page: str) -> dict:
    """The page's shareable values now: the controls' settings, the page's own keys, presenter options."""
    values = controls.read_controls(prefix=sharelink.PAGES[page].prefix or controls.K)
    for key in sharelink.PAGES[page].keys:
        if key.state and key.state in st.session_state:
            values[key.name] = st.session_state[key.state]
    values["present"] = st.session_state.get("share_present", False)
    values["controls"] = tuple(st.session_state.get(_share_controls_key(page), ()))
    return values


def _share_controls_key(page: str) -> str:
    return sharelink.PAGES[page].prefix + "share_controls"  # the Playground's list is its own


def browser_url() -> str:
    """The address the browser shows ("" where unknown, as in AppTest)."""
    return st.context.url or ""


def network_url() -> str | None:
    """This server's address as the room reaches it, the way Streamlit finds its own
    "Network URL" when it starts (streamlit/web/bootstrap.py `_print_url`): the
    configured browser.serverAddress or server.address, else the machine's own IP
    address (net_util.get_internal_ip).  None when that is local too, or unknown."""
    try:
        from streamlit import config, net_util
        from streamlit.web.server import server_util
    except ImportError:  # (internal modules: a later Streamlit may move them)
        return None
    if config.is_manually_set("browser.serverAddress"):
        address = config.get_option("browser.serverAddress")
    elif config.is_manually_set("server.address") and config.get_option("server.address") not in ("0.0.0.0", "::"):
        address = config.get_option("server.address")  # the only address it listens on (127.0.0.1: nobody else)
    else:
        address = net_util.get_internal_ip()
    if not address or sharelink.local_host(address) or address.startswith("unix://"):
        return None
    return server_util.get_url(address)


def reachable_ui(url: str) -> str:
    """`url` as the room can open it: a local host (localhost reaches nobody else) replaced by
    this server's network address, saying so; a warning where no other address is known.
    (The Share box, and a room's join link: pages/helpers/room_board.py.)"""
    host = urllib.parse.urlsplit(url).hostname
    if not url.startswith(("http://", "https://")) or not sharelink.local_host(host):
        return url
    network = network_url()
    if network:
        st.info(f"You opened the app as **{host}**, which only this computer reaches: the link uses "
                f"this server's network address, **{urllib.parse.urlsplit(network).netloc}**.",
                icon=":material/wifi:")
        return sharelink.rebase(url, network)
    st.warning(f"**{host}** is this computer only: nobody else can open this link. Open the app at "
               "an address the room can reach (the *Network URL* that `streamlit run` prints).",
               icon=":material/wifi_off:")
    return url


def app_url(path: str) -> str:
    """The app's own address with `path` ("train?room=X") in place of this page's, as the browser
    shows it ("/" + path where the browser's URL is unknown, as in tests)."""
    url = browser_url().split("?")[0].split("#")[0].rstrip("/")
    here = st.context.url and urllib.parse.urlsplit(url).path.rstrip("/").rsplit("/", 1)
    base = url[:-len(here[1]) - 1] if here and len(here) == 2 and here[1] else url
    return f"{base}/{path}"


def link(page: str) -> str:
    """The page's setup as a full link (a relative one where the browser's URL is unknown, as in tests)."""
    values = current_values(page)
    if values.get("dataset") in sharelink.UPLOADED:
        values.pop("dataset")
    pairs = sharelink.encode(page, values, base=start(page))
    url = browser_url().split("?")[0].rstrip("/")
    base = url[:-len(page) - 1] if url.endswith("/" + page) else url
    return f"{base}/{page}" + (f"?{sharelink.query(pairs)}" if pairs else "")


def share_ui(page: str):
    """A Share button that shows the link of this page's setup, with presenter options."""
    s = st.session_state
    s.setdefault("share_present", s.presenting)
    controls_key = _share_controls_key(page)
    s.setdefault(controls_key, list(s[show_only_key(page)]))
    with st.popover("Share", icon=":material/share:", help="A link to this setup, to put on the screen or send."):
        st.markdown("**This setup as a link.** Whoever opens it gets the same dataset, network and training "
                    "settings — a setup to train, not a trained model.")
        st.toggle("Presenter mode", key="share_present",
                  help="Large type for a projector, the sidebar closed (the Playground's controls move onto the "
                       "page).")
        names = sharelink.controls_of(page)
        labels = {n: controls.LABELS.get(n) or (toy2d.OPTION[n].label if n in toy2d.OPTION else n) for n in names}
        if page_has(page, "controls"):
            st.multiselect("Show only these controls", list(names), key=controls_key,
                           format_func=labels.get, placeholder="all of them",
                           help="The link shows only these controls, on the page itself; the others keep the "
                                "link's values, hidden. One idea at a time.")
        url = reachable_ui(link(page))
        st.code(url, language=None, wrap_lines=True)
        if url.startswith(("http://", "https://")):  # (a relative link, in tests, has nothing to scan)
            st.image(qr.png(url), caption="Scan to open this link.", width=220)
        if page_has(page, "dataset") and st.session_state.get(controls.K + "dataset") in sharelink.UPLOADED:
            st.caption("Your uploaded dataset is not in the link (it stays in this browser): the link opens "
                       "on the digits.")
        st.caption("Settings left at their starting values are left out of the link.")


def title_ui(title: str, page: str):
    """The page's title with its Share button beside it."""
    row = st.container(horizontal=True, vertical_alignment="center")
    with row:
        st.title(title, width="stretch")
        share_ui(page)
    notice_ui()  # under the title: nothing covers the Share button
