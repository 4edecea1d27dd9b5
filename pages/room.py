"""Room: a workshop's live scoreboard.  The presenter opens a room; learners join with its
link and each run they finish shows here (docs/room.md)."""
import streamlit as st

from nnlab.store import StoreError
from pages.helpers import common, errors, lab, room_board, room_owner


def _projector():
    st.session_state.presenting = st.session_state.room_projector


def room_page():
    common.frame(joins=False)  # here ?room= is the scoreboard to show, not a room to join
    row = st.container(horizontal=True, vertical_alignment="center")
    row.title("Room", width="stretch")
    row.toggle("Projector view", key="room_projector", value=st.session_state.presenting, on_change=_projector,
               help="Large type for a projector, the sidebar closed (presenter mode).")
    code = room_board.current_code()
    try:
        room = lab.store().room(code) if code else None
        owner = room is not None and lab.store().is_owner(code, st.session_state.lab_token)
    except StoreError as e:
        st.error(f"The rooms cannot be reached now: {e}.")
        return
    if code and room is None:
        st.warning(f"There is no room {code}: check the code (rooms unused for a while are removed).",
                   icon=":material/groups:")
    elif room is not None and room.closed and not owner:
        st.warning(f"Room {code} is closed: the presenter closed it.", icon=":material/lock:")
    elif room is not None:
        counts = room_board.header_ui(room)
        if not owner:
            st.caption("You are watching this room's scoreboard; only the presenter who opened it can change it.")
        room_board.board_ui(room, owner, counts)
        st.divider()
    if room is None or owner:
        if room is None:
            st.markdown("A **room** puts a workshop's runs on one screen: open one, put its link (or QR code) on "
                        "the projector, and each run a learner finishes on **Train** shows here, ranked, with its "
                        "curve and the settings they changed. Learners share only what they post.")
        room_owner.open_ui()
        room_owner.rooms_ui(current=room.code if room is not None else None)


errors.run(room_page)
