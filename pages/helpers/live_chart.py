"""Charts redrawn several times a second without going blank: slots stacked in one place.

Why: Streamlit remounts a plotly chart whenever its figure changes (the element's
id hashes the figure; checked on 1.67), so the old picture disappears the moment
the new one arrives and the place stays empty until plotly.js has drawn it
(~50-200 ms in headless Chromium on a busy 2-core machine).  When the next
picture comes before that, the chart never shows at all while training.

How: each chart has three slots in one grid cell (CSS); each new picture goes
to the slot with the oldest one, which is then put on top.  A slot still being
drawn has no size and no background, so the picture before shows through it
until the new one covers it.  A browser that falls behind skips pictures
instead of showing none (unless it falls three pictures behind).

    charts = LiveCharts(["boundary", "loss"], {"boundary": left, "loss": right})
    charts.draw({"boundary": fig1, "loss": fig2})     # every picture
"""
from __future__ import annotations

import streamlit as st

PREFIX = "live_"  # container keys: st.container(key=...) gives the element the class st-key-<key>


class LiveCharts:
    SLOTS = 3  # the newest picture, and the two before it while the newest is still being drawn

    def __init__(self, names, places: dict, style_place=None):
        """names: the charts; places: where each goes (a container or column);
        style_place: where the one-line style goes (it takes no room)."""
        self.names = list(names)
        # Containers, not st.empty(): a new script run (a button press) keeps the pictures
        # of the run before on screen until its own arrive, instead of clearing them at once.
        self.slots = {}
        for name in self.names:
            stack = places[name].container(key=f"{PREFIX}{name}")
            self.slots[name] = [stack.container() for _ in range(self.SLOTS)]
        self.holders = {}  # (name, slot) -> the st.empty() in that slot, made with its first picture
        self.style_place, self.style = style_place or st, None
        self.shown = 0  # pictures drawn by this script run

    def _css(self) -> str:
        """One grid cell for all slots; the newer a slot's picture, the higher it lies."""
        rules = []
        for name in self.names:
            key = f".st-key-{PREFIX}{name}"
            rules.append(f"{key} {{ display: grid !important; grid-template-columns: minmax(0, 1fr); }} "
                         f"{key} > div {{ grid-area: 1 / 1; width: 100%; }}")
            for age in range(self.SLOTS):  # age 0: the newest picture
                slot = (self.shown - age) % self.SLOTS
                rules.append(f"{key} > div:nth-child({slot + 1}) {{ z-index: {self.SLOTS - age}; }}")
        return "<style>" + " ".join(rules) + "</style>"

    def draw(self, figures: dict, config=None):
        """Send the next picture of each chart (a dict name -> plotly figure)."""
        self.shown += 1
        slot = self.shown % self.SLOTS
        for name, fig in figures.items():
            if (name, slot) not in self.holders:
                self.holders[name, slot] = self.slots[name][slot].empty()
            self.holders[name, slot].plotly_chart(fig, key=f"{PREFIX}{name}_{self.shown}",
                                                  config=config or {"displayModeBar": False})
        if self.style is None:  # made with the first picture: until then the last run's order holds
            self.style = self.style_place.empty()
        self.style.html(self._css())
