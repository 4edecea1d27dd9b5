"""Joining a room from a join link (`/train?room=CODE`, any page): the learner's side of
docs/room.md.  Not a page.

    apply(joins)   frame(), after the lab is open: a link's code checked once per tab — a bad
                   or unknown code, or a closed room, is one plain sentence; a good one asks
                   for a name (`ask_ui`, drawn by frame() above the page)
    line_ui()      under Train's and Sweep's titles: "Posting to room ABC234 as Otter · Leave"

The room a lab posts to is kept in the lab (its part "room": {"code", "name"}), so a reload,
another device or a restart keeps posting there; the `room` parameter stays in the address
after joining (a reload finds the lab joined already and asks nothing) and goes with Leave or
Not now.  A room code opens no lab: the store knows a learner by a one-way hash of the lab's
token (nnlab/store/rooms.py learner_key).
"""
from __future__ import annotations

import streamlit as st

from nnlab.experiments import scoreboard
from nnlab.store import StoreError, parse_room_code, parts
from nnlab.store.rooms import MAX_NAME
from nnlab.viz import escape
from pages.helpers import lab

QUERY = "room"
NOT_A_CODE = ("The room code in this link is not one: a room code is 6 letters and digits, like ABC234. Check it "
              "on the presenter's screen; the rest of the app works as usual.")


def _s():
    return st.session_state


def apply(joins: bool = True):
    """The address's join link, once per tab (a new one, or a reload, asks again)."""
    given = st.query_params.get_all(QUERY)
    if not joins or not given or _s().room_asked == repr(given):
        return
    _s().room_asked = repr(given)  # (answered: said, joined already, or asked below)
    code = parse_room_code(given)
    if code is None:
        _s().room_notice = NOT_A_CODE
        return
    if _s().room and _s().room.get("code") == code:
        return  # this lab is in that room already (a reload)
    try:
        room = lab.store().room(code)
    except StoreError as e:
        _s().room_notice = f"Room {code} cannot be reached now: {e}."
        return
    if room is None:
        _s().room_notice = (f"There is no room {code}: check the code on the presenter's screen (rooms unused "
                            "for a while are removed).")
    elif room.closed:
        _s().room_notice = f"Room {code} is closed: the presenter closed it, so it takes no more runs."
    else:
        _s().room_invite = code


def save(room: dict | None):
    """The lab's part "room": where its runs are posted (None: nowhere)."""
    _s().room = room
    try:
        lab.store().save_part(_s().lab_token, "room", None if room is None else parts.to_json(room))
    except StoreError as e:
        lab.fail(e)


def _join(code: str):
    name = _s().get("room_name", "")
    try:
        lab.store().join_room(code, _s().lab_token, name)
        name = lab.store().learner_name(code, _s().lab_token) or name
    except StoreError as e:
        _s().room_notice = f"Could not join room {code}: {e}."
    else:
        save({"code": code, "name": name})
        _s().room_notice = ""
    _s().room_invite = ""


def _not_now():
    _s().room_invite = ""
    st.query_params.pop(QUERY, None)  # a reload does not ask again


def leave():
    save(None)
    _s().room_unsent = _s().room_train = None
    st.query_params.pop(QUERY, None)


def ask_ui():
    """The join question (a good room's link, not joined yet), and a notice about a room, once."""
    s = _s()
    if s.room_notice:
        st.info(s.room_notice, icon=":material/groups:")
        s.room_notice = ""
    code = s.room_invite
    if not code:
        return
    with st.container(border=True, key="room_join"):
        now = f" (you post to room {s.room['code']} now)" if s.room else ""
        st.markdown(f":material/groups: **Join room {code}?**{now} Each run you finish on **Train**, and the best "
                    "of a **Sweep**, then shows on the presenter's scoreboard: your name, the settings you changed, "
                    "its accuracy, time and curve. Nothing else of your lab is shared.")
        st.text_input("Your name on the scoreboard", key="room_name", max_chars=MAX_NAME,
                      placeholder="leave it empty for an animal name",
                      help="Shown to the room. Empty: an anonymous animal name, the same each time.")
        row = st.container(horizontal=True, gap="small")
        row.button("Join", type="primary", icon=":material/login:", key="room_join_yes", on_click=_join, args=(code,))
        row.button("Not now", key="room_join_no", on_click=_not_now)


def line_ui():
    """Where this lab's runs go: "Posting to room ABC234 as Otter" with Leave, under the title.
    A room closed (or removed) since is said here, once, and left."""
    room = _s().room
    if not room:
        return
    try:
        now = lab.store().room(room["code"])
    except StoreError:
        now = room  # (said when a post fails)
    if now is None or getattr(now, "closed", False):
        leave()
        why = "is closed: the presenter closed it" if now is not None else \
            "no longer exists (rooms unused for a while are removed)"
        st.info(f"Room {room['code']} {why}. Your runs are no longer posted there; they stay here, on **Compare**.",
                icon=":material/groups:")
        return
    row = st.container(horizontal=True, gap="small", vertical_alignment="center", key="room_line")
    row.caption(f":material/groups: Posting to room **{escape.markdown(room['code'])}** as "
                f"**{escape.markdown(scoreboard.clean(room.get('name')) or '?')}**", width="content")
    row.button("Leave", key="room_leave", type="tertiary", on_click=leave,
               help="Stop posting your runs to this room (its join link brings you back).")
