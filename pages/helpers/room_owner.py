"""The presenter's side of a room (docs/room.md): open one, list one's rooms, and on the
scoreboard hide entries, download the table, close the room.  Not a page.

The owner is the lab that opened the room (the store keeps a one-way hash of its token);
anyone else opening /room?room=CODE sees the scoreboard without these controls.  Every
action asks the store, which checks the owner again: a control drawn for a lab that is not
the owner does nothing (StoreError "not-owner").
"""
from __future__ import annotations

import datetime as _dt

import streamlit as st

from nnlab.experiments import scoreboard
from nnlab.store import StoreError
from nnlab.store.rooms import MAX_TEXT
from nnlab.viz import escape
from pages.helpers import controls, lab

QUERY = "room"


def _s():
    return st.session_state


def show(code: str):
    """Make `code` the room this tab's Room page shows (and put it in the address)."""
    _s().room_board = code
    _s().room_close_asked = ""
    st.query_params[QUERY] = code


def _open():
    """Open a room with the Train page's controls as its starting setup."""
    try:
        room = lab.store().open_room(_s().lab_token, controls.read_controls(), _s().get("room_title", ""))
    except StoreError as e:
        _s().room_notice = f"Could not open a room: {e}."
        return
    show(room.code)


def open_ui():
    """A title (optional) and Open a room."""
    with st.container(border=True, key="room_open"):
        st.markdown("**Open a room.** The room starts from your **Train** page's setup (its dataset and "
                    "settings): each learner's entry lists the settings they changed from it.")
        row = st.container(horizontal=True, vertical_alignment="bottom", gap="small")
        row.text_input("Title (optional)", key="room_title", max_chars=MAX_TEXT, placeholder="e.g. Tuesday's workshop")
        row.button("Open a room", type="primary", icon=":material/add:", key="room_open_btn", on_click=_open)


def rooms_ui(current: str | None = None):
    """The rooms this lab opened, newest first, each a button that shows its scoreboard."""
    try:
        rooms = lab.store().rooms_of(_s().lab_token)
    except StoreError as e:
        st.caption(f"Your rooms cannot be listed now: {e}.")
        return
    rooms = [r for r in rooms if r.code != current]
    if not rooms:
        return
    st.markdown("**Your rooms**" if current is None else "**Your other rooms**")
    for r in rooms:
        when = _dt.datetime.fromtimestamp(r.created).strftime("%d %b %H:%M")
        title = f" — {escape.markdown(scoreboard.clean(r.title))}" if r.title else ""
        row = st.container(horizontal=True, vertical_alignment="center", gap="small")
        row.button(r.code, key=f"room_show_{r.code}", icon=":material/leaderboard:", on_click=show, args=(r.code,))
        row.caption(f"opened {when}{title}" + (" · closed" if r.closed else ""))


def hide_ui(room, df, rows: list, selection_key: str):
    """Under the ranked table: hide the selected entries (their post), or everything their learners posted.
    `selection_key`: the table's (or the projector view's list's) key, cleared once they are hidden."""
    ids = [int(df.iloc[i]["id"]) for i in rows if 0 <= i < len(df)]
    row = st.container(horizontal=True, gap="small")
    row.button("Hide the selected entries", icon=":material/visibility_off:", key="room_hide", disabled=not ids,
               on_click=_hide, args=(room.code, ids, False, True, selection_key),
               help="Select rows in the table first (the box at a row's left). A hidden entry leaves the scoreboard "
                    "and the CSV; it is listed below, to show again. The learner's next-best run may take its place.")
    row.button("Hide everything these learners posted", icon=":material/person_off:", key="room_hide_all",
               disabled=not ids, on_click=_hide, args=(room.code, ids, True, True, selection_key), type="tertiary",
               help="For a name that should not be on the screen: all their runs so far.")


NO_SELECTION = {"selection": {"rows": [], "columns": [], "cells": []}}


def _hide(code: str, ids: list, whole: bool, hidden: bool = True, selection_key: str = ""):
    if selection_key:  # (the rows' numbers will name other entries once these are gone)
        _s()[selection_key] = [] if selection_key.startswith("rank_pick") else NO_SELECTION
    try:
        if whole:
            posts = lab.store().room_posts(code, include_hidden=True, with_curves=False)
            learners = {p.learner for p in posts if p.id in ids}
            ids = [p.id for p in posts if p.learner in learners]
        for post_id in ids:
            lab.store().hide_post(code, _s().lab_token, post_id, hidden=hidden)
    except StoreError as e:
        _s().room_notice = f"{e}."


def _close(code: str):
    try:
        lab.store().close_room(code, _s().lab_token)
    except StoreError as e:
        _s().room_notice = f"{e}."
    _s().room_close_asked = ""


def _ask_close(code: str, yes: bool = True):
    _s().room_close_asked = code if yes else ""


def tools_ui(room, hidden: int = 0):
    """The presenter's tools under the scoreboard: CSV, close the room, the `hidden` entries."""
    st.subheader("Presenter's tools")
    row = st.container(horizontal=True, gap="small")
    # (the file is made when the button is pressed, in a thread of its own: 10,000 posts take 0.15 s)
    store, code, setup = lab.store(), room.code, room.setup
    row.download_button("Download the table (CSV)", lambda: _csv(store, code, setup), key="room_csv",
                        file_name=f"room-{room.code}.csv", mime="text/csv", icon=":material/download:",
                        on_click="ignore", help="Every run posted (not the hidden ones), one row each.")
    if not room.closed:
        row.button("Close the room…", icon=":material/lock:", key="room_close", on_click=_ask_close,
                   args=(room.code,),
                   help="No more runs or learners; the scoreboard stays.")
    if _s().room_close_asked == room.code and not room.closed:
        st.warning(f"**Close room {room.code}?** Learners' runs are no longer posted (they are told so), and its "
                   "join link stops working. The scoreboard stays, for you.", icon=":material/lock:")
        ask = st.container(horizontal=True, gap="small")
        ask.button("Yes, close it", type="primary", key="room_close_yes", on_click=_close, args=(room.code,))
        ask.button("Keep it open", key="room_close_no", on_click=_ask_close, args=(room.code, False))
    if hidden:
        hidden_ui(room)


def _csv(store, code: str, setup: dict) -> str:
    """The room's posts as CSV, read when the button is pressed; a store that fails says so in the file."""
    try:
        return scoreboard.csv_text(store.room_posts(code), setup)
    except StoreError as e:
        return f"error\nThe room's runs cannot be read now: {e}.\n"


def hidden_ui(room):
    try:
        hidden = [p for p in lab.store().room_posts(room.code, include_hidden=True, with_curves=False) if p.hidden]
    except StoreError:
        return
    if not hidden:
        return
    with st.expander(f"Hidden entries ({len(hidden)})", icon=":material/visibility_off:"):
        df = scoreboard.table(hidden, room.setup)
        event = st.dataframe(df, hide_index=True, key="room_hidden", on_select="rerun", selection_mode="multi-row",
                             column_order=["learner", "run", "dataset", "validation_accuracy", "posted"])
        ids = [int(df.iloc[i]["id"]) for i in event.selection.rows if 0 <= i < len(df)]
        st.button("Show the selected again", key="room_unhide", disabled=not ids, icon=":material/visibility:",
                  on_click=_hide, args=(room.code, ids, False, False, "room_hidden"))
