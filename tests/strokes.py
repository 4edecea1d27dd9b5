"""A varied set of hand-drawn digits, as mouse strokes: several ways of writing
each digit, to draw at several sizes and places.

Written as a person writes, once, from how the digits are commonly drawn —
not adjusted to what any model reads.  Each stroke is a list of (x, y) points in
the unit square (y down); a digit is a list of strokes (pen lifts between).

    STYLES[6]        -> {"round loop": [...], "long stem": [...]}
    PLACEMENTS       -> {"large, centred": (scale, (dx, dy)), ...}
    drawings()       -> [(digit, style, placement, strokes, scale, offset), ...]
    place(stroke, scale, offset) -> the stroke's points moved there (unit square)
"""
from __future__ import annotations

import numpy as np


def arc(cx, cy, rx, ry, a0, a1, n=24):
    """Points on an ellipse from angle a0 to a1 (degrees; 0 = right, 90 = down)."""
    t = np.radians(np.linspace(a0, a1, n))
    return [(round(cx + rx * np.cos(a), 3), round(cy + ry * np.sin(a), 3)) for a in t]


STYLES = {
    0: {
        "oval": [arc(0.5, 0.5, 0.24, 0.4, -90, 270)],
        "round": [arc(0.5, 0.5, 0.33, 0.38, -100, 265)],
        "narrow, slanted": [[(0.58, 0.1), (0.4, 0.2), (0.33, 0.55), (0.4, 0.85), (0.5, 0.9),
                             (0.62, 0.8), (0.68, 0.45), (0.64, 0.15), (0.55, 0.1)]],
    },
    1: {
        "stick": [[(0.5, 0.1), (0.5, 0.9)]],
        "flag": [[(0.38, 0.25), (0.55, 0.1), (0.55, 0.9)]],
        "flag and base": [[(0.38, 0.25), (0.52, 0.1), (0.52, 0.9)], [(0.36, 0.9), (0.68, 0.9)]],
    },
    2: {
        "curve, flat base": [arc(0.5, 0.3, 0.22, 0.2, 190, 390, 16) + [(0.28, 0.88), (0.76, 0.88)]],
        "swan": [arc(0.48, 0.32, 0.24, 0.22, 200, 400, 16) + [(0.45, 0.7), (0.26, 0.88), (0.78, 0.86)]],
        "looped base": [arc(0.5, 0.3, 0.22, 0.2, 190, 380, 16)
                        + [(0.42, 0.72), (0.3, 0.86)] + arc(0.36, 0.8, 0.07, 0.07, 90, 360, 10)
                        + [(0.78, 0.88)]],
    },
    3: {
        "two arcs": [arc(0.48, 0.3, 0.22, 0.2, 210, 450, 18) + arc(0.48, 0.7, 0.25, 0.2, 270, 500, 18)],
        "flat top": [[(0.28, 0.1), (0.72, 0.1), (0.46, 0.42)] + arc(0.48, 0.66, 0.25, 0.24, 270, 500, 18)],
    },
    4: {
        "open": [[(0.5, 0.1), (0.26, 0.62), (0.78, 0.62)], [(0.62, 0.38), (0.62, 0.92)]],
        "closed": [[(0.62, 0.92), (0.62, 0.1), (0.24, 0.64), (0.8, 0.64)]],
        "two sticks": [[(0.32, 0.1), (0.28, 0.58), (0.78, 0.58)], [(0.66, 0.1), (0.66, 0.92)]],
    },
    5: {
        "one stroke": [[(0.72, 0.1), (0.34, 0.1), (0.3, 0.45)] + arc(0.5, 0.66, 0.24, 0.24, 225, 495, 18)],
        "hat last": [[(0.34, 0.1), (0.3, 0.45)] + arc(0.5, 0.66, 0.24, 0.24, 225, 495, 18),
                     [(0.34, 0.1), (0.74, 0.1)]],
    },
    6: {
        "round loop": [arc(0.75, 0.62, 0.43, 0.52, 245, 180, 12) + arc(0.52, 0.7, 0.2, 0.2, 180, 530, 24)],
        "long stem": [[(0.62, 0.1), (0.42, 0.3), (0.32, 0.6)] + arc(0.5, 0.7, 0.18, 0.18, 180, 540, 24)],
        "big loop": [[(0.66, 0.12), (0.4, 0.3)] + arc(0.5, 0.62, 0.26, 0.28, 200, 560, 26)],
    },
    7: {
        "plain": [[(0.26, 0.1), (0.76, 0.1), (0.44, 0.9)]],
        "crossed": [[(0.26, 0.1), (0.76, 0.1), (0.48, 0.9)], [(0.4, 0.5), (0.74, 0.5)]],
        "curved stem": [[(0.26, 0.12), (0.74, 0.1), (0.6, 0.35), (0.5, 0.6), (0.46, 0.9)]],
    },
    8: {
        "figure eight": [arc(0.5, 0.29, 0.19, 0.19, 90, 450, 20) + arc(0.5, 0.7, 0.23, 0.21, -90, 270, 20)],
        "two loops": [arc(0.5, 0.29, 0.19, 0.19, 0, 360, 20), arc(0.5, 0.7, 0.23, 0.21, 0, 360, 20)],
        "s and back": [arc(0.5, 0.28, 0.2, 0.18, 0, -270, 16) + arc(0.5, 0.68, 0.22, 0.22, -90, 180, 16)
                       + [(0.5, 0.46), (0.7, 0.28)]],
    },
    9: {
        "straight tail": [arc(0.5, 0.31, 0.21, 0.21, 0, 360, 22) + [(0.71, 0.55), (0.68, 0.92)]],
        "curved tail": [arc(0.48, 0.3, 0.2, 0.2, 0, 360, 22) + arc(0.44, 0.55, 0.24, 0.36, 0, 110, 10)],
        "stick tail": [arc(0.45, 0.3, 0.2, 0.2, 340, 700, 22), [(0.66, 0.12), (0.66, 0.9)]],
    },
}

# (scale, (dx, dy)) in canvas units: the unit square shrunk by `scale` around the
# centre, then moved by (dx, dy)
PLACEMENTS = {
    "large, centred": (0.8, (0.0, 0.0)),
    "small, top left": (0.35, (-0.25, -0.22)),
    "small, bottom right": (0.4, (0.22, 0.2)),
}


def place(stroke, scale, offset):
    """A stroke's points, shrunk by `scale` around the centre and moved by `offset`."""
    return [(offset[0] + 0.5 + (x - 0.5) * scale, offset[1] + 0.5 + (y - 0.5) * scale) for x, y in stroke]


def drawings(placements=PLACEMENTS):
    """Every (digit, style, placement name, strokes, scale, offset) of the set."""
    return [(d, style, where, strokes, scale, offset)
            for d, styles in STYLES.items() for style, strokes in styles.items()
            for where, (scale, offset) in placements.items()]


def one_round():
    """Every style once, the placements taken in turn (the browser test draws these):
    [(digit, style, placement name, strokes, scale, offset), ...]."""
    names = list(PLACEMENTS)
    out = []
    for d, styles in STYLES.items():
        for i, (style, strokes) in enumerate(styles.items()):
            where = names[(d + i) % len(names)]
            out.append((d, style, where, strokes, *PLACEMENTS[where]))
    return out
