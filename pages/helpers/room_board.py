"""The Room page's scoreboard (docs/room.md).  Not a page.

    code = current_code()      # ?room=CODE, or the room this tab showed last
    header_ui(room)            # the code, the join link (the network address, like Share) and its QR
    board_ui(room, owner)      # counts, the ranked table per dataset, the top curves, what the room tried

Live without reloading: a fragment reads the room's counts every POLL_SECONDS (two small
queries) and draws them; when the posts changed (a run posted or hidden, the room closed) it
reruns the page, which draws the board again — so the tables and charts are redrawn only
when there is something new, and a run shows within POLL_SECONDS plus one page run of its
post.  A board that takes long to draw (a room of thousands of runs) is redrawn at most
REDRAW_SHARE of the time.  Learner text is escaped wherever it is shown: tables show it as
plain text, charts and Markdown through nnlab/viz/escape.py (scoreboard.clean first drops
control characters).
"""
from __future__ import annotations

import time

import streamlit as st

from nnlab.experiments import scoreboard
from nnlab.store import StoreError, parse_room_code
from nnlab.viz import escape, figures_room
from pages.helpers import lab, qr, room_owner, share, wording

QUERY = "room"
POLL_SECONDS = 0.5   # the counts are read this often (two small queries) ...
REDRAW_SHARE = 0.1   # ... and the board redrawn on a change, but at most this share of the time (10,000 posts)
TRIED_COLUMNS = 3
CHART = {"displayModeBar": False}
# The code, large enough to read from the back of a room (a keyed container's class: st-key-<key>).
CODE_CSS = """<style>
.st-key-room_code p { font-size: 1rem; line-height: 1.1; margin: 0; }
.st-key-room_code strong { font-size: 3rem; letter-spacing: 0.12em; font-family: "Source Code Pro", monospace; }
.st-key-room_counts [data-testid="stMetricValue"] p { font-size: 2.25rem !important; }  /* (presenter mode's text size
   would shrink them) */
</style>"""
PROJECTOR_COLUMNS = ["Rank", "Learner", "Validation %", "Test %", "Settings changed", "Seconds"]


def current_code() -> str | None:
    """The room to show: the address's ?room= (remembered by the tab), else the one shown before
    (put back in the address: moving between pages drops it).  A malformed code: said, None."""
    s = st.session_state
    given = st.query_params.get_all(QUERY)
    if given:
        code = parse_room_code(given)
        if code is None:
            st.warning("The address's room code is not one: a room code is 6 letters and digits, like ABC234.",
                       icon=":material/groups:")
            st.query_params.pop(QUERY, None)
        s.room_board = code or ""
    elif s.room_board:
        st.query_params[QUERY] = s.room_board
    return s.room_board or None


def join_link(code: str) -> str:
    return share.app_url(f"train?{QUERY}={code}")


def header_ui(room):
    """The code, big, and the join link as text and as a QR code; returns the place for the counts
    (under the link: the projector shows code, link, counts and the ranking's top on one screen)."""
    left, right = st.columns([3, 1], vertical_alignment="center")
    with left:
        st.html(CODE_CSS)
        title = f" — {escape.markdown(scoreboard.clean(room.title))}" if room.title else ""
        st.container(key="room_code").markdown(f"Room code{title}  \n**{room.code}**")
        if room.closed:
            st.error("This room is **closed**: it takes no more runs or learners. Its scoreboard stays here.",
                     icon=":material/lock:")
            return left
        url = share.reachable_ui(join_link(room.code))
        st.code(url, language=None, wrap_lines=True)
    if url.startswith(("http://", "https://")):  # (a relative link, in tests, has nothing to scan)
        right.image(qr.png(url, scale=5), width=200)
    right.caption("Scan or open the link, give a name and press **Train**: each run you finish shows here.")
    return left


def _signature(counts: dict, room) -> tuple:
    return counts.get("runs"), counts.get("hidden"), room is None or room.closed


@st.fragment(run_every=POLL_SECONDS)
def _live(code: str):
    """The counts, every POLL_SECONDS; the whole page again when the posts changed."""
    try:
        counts, room = lab.store().room_counts(code), lab.store().room(code)
    except StoreError as e:
        st.caption(f"The scoreboard cannot read the room just now: {e}. It tries again every second.")
        return
    seen, drawn, cost = st.session_state.room_board_seen or (None, 0.0, 0.0)
    if _signature(counts, room) != seen and time.monotonic() - drawn >= cost / REDRAW_SHARE:
        st.rerun()  # new posts (or hidden ones, or the room closed): the board is drawn again
    row = st.container(horizontal=True, gap="medium", key="room_counts")
    row.metric("Learners joined", counts.get("learners", 0), width="content")
    row.metric("Runs posted", counts.get("runs", 0), width="content")
    row.metric("Running now", counts.get("running", 0), width="content")


def board_ui(room, owner: bool, counts_place=None):
    """Everything below the header (the counts in `counts_place`), drawn from one read of the store."""
    started = time.monotonic()
    try:
        counts = lab.store().room_counts(room.code)
        posts = lab.store().room_posts(room.code, with_curves=False)  # (the curves drawn are read below)
    except StoreError as e:
        st.error(f"The scoreboard cannot read the room now: {e}. It will try again when this page reruns.")
        return
    st.session_state.room_board_seen = (_signature(counts, room), started, 0.0)
    with counts_place if counts_place is not None else st.container():
        _live(room.code)
    if not posts:
        st.subheader("Ranking")
        # (the empty table loads the data grid now, not when the first run arrives: ~0.5 s sooner then)
        st.dataframe(scoreboard.ranking([], room.setup, ""), hide_index=True, key="rank_empty",
                     column_order=[c for c in scoreboard.RANK_COLUMNS if c != "id"])
        st.info("No runs yet. When learners finish a run on **Train** (or a sweep), it shows here within a "
                "second or two.", icon=":material/hourglass_empty:")
        st.plotly_chart(figures_room.top_curves_figure([]), config=CHART, key="room_top_curves")  # (plotly too)
    else:
        dataset = dataset_ui(posts, room.setup)
        ranking_ui(posts, room, dataset, owner)
        charts_ui(posts, room, dataset)
    if owner:
        room_owner.tools_ui(room, counts.get("hidden", 0))
    st.session_state.room_board_seen = (*st.session_state.room_board_seen[:2], time.monotonic() - started)


def dataset_ui(posts, setup) -> str:
    names = scoreboard.datasets(posts, setup)
    if len(names) == 1:
        return names[0]
    if st.session_state.get("room_dataset") not in names:
        st.session_state.room_dataset = names[0]
    return st.segmented_control("Dataset", names, key="room_dataset", required=True,
                                format_func=lambda n: wording.dataset_label(n) if n in ("digits", "mnist", "csv")
                                else escape.markdown(scoreboard.clean(n))) or names[0]  # (labels read Markdown)


def ranking_ui(posts, room, dataset: str, owner: bool):
    st.subheader("Ranking")
    df = scoreboard.ranking(posts, room.setup, dataset)
    config = {"Validation %": st.column_config.NumberColumn(format="%.1f"),
              "Test %": st.column_config.NumberColumn(format="%.1f"),
              "Seconds": st.column_config.NumberColumn(format="%.2f", help="Training time of the run."),
              "Settings changed": st.column_config.TextColumn(help="What differs from the room's setup (empty: "
                                                                    "the setup as given).")}
    columns = [c for c in df.columns if c != "id"]
    if st.session_state.presenting:  # big type: a static table scales with the page's text, the data grid does not
        st.table(projector_table(df), hide_index=True)
        rows = st.multiselect("Entries to hide", range(len(df)), key=f"rank_pick_{dataset}",
                              format_func=lambda i: f"{df['Rank'].iloc[i]}. {df['Learner'].iloc[i]}") if owner else []
    elif not owner:
        st.dataframe(df, hide_index=True, column_order=columns, column_config=config, key=f"rank_{dataset}")
    else:
        rows = st.dataframe(df, hide_index=True, column_order=columns, column_config=config, key=f"rank_{dataset}",
                            on_select="rerun", selection_mode="multi-row").selection.rows
    if owner:
        room_owner.hide_ui(room, df, rows, f"rank_pick_{dataset}" if st.session_state.presenting else f"rank_{dataset}")
    st.caption("Each learner's best run on this dataset (validation accuracy; the test accuracy of the same "
               "model beside it). Settings changed: what differs from the room's setup.")


def projector_table(df):
    """The ranking for st.table (which reads Markdown): learner text escaped, numbers as text."""
    out = df[PROJECTOR_COLUMNS].copy()
    for c in ("Learner", "Settings changed"):
        out[c] = out[c].map(escape.markdown)
    for c, fmt in (("Validation %", "{:.1f}"), ("Test %", "{:.1f}"), ("Seconds", "{:.2f}")):
        out[c] = out[c].map(lambda v, fmt=fmt: "–" if v is None or v != v else fmt.format(v))
    return out


def charts_ui(posts, room, dataset: str):
    setup = room.setup
    try:
        curves = lab.store().room_curves(room.code, scoreboard.curves_wanted(posts, dataset))
    except StoreError:
        curves = {}
    top = scoreboard.top_curves(posts, dataset, curves=curves)
    if top:
        st.plotly_chart(figures_room.top_curves_figure(top), config=CHART, key="room_top_curves")
    tried = scoreboard.tried(posts, setup, dataset)
    st.subheader("What the room tried")
    if not tried:
        st.caption("Nobody changed a setting yet: every run so far used the room's setup.")
        return
    st.caption("Validation accuracy of every run against each setting people changed (orange: changed; grey: "
               "the room's setup).")
    for start in range(0, len(tried), TRIED_COLUMNS):
        cols = st.columns(TRIED_COLUMNS)
        for col, t in zip(cols, tried[start:start + TRIED_COLUMNS]):
            col.plotly_chart(figures_room.tried_figure(t), config=CHART, key=f"room_tried_{t.name}")
