"""The lines both forms start with: what the script is, the run it comes from, its setup.

Whatever a run's name or a path holds reaches the script as repr() (which escapes
every line break and control character) inside a comment, so it cannot end the
comment and start code."""
from __future__ import annotations

import textwrap

WIDTH = 96


def comment(text: str) -> str:
    """`text` as comment lines ("# ..."), wrapped; any line break in it is dropped."""
    flat = " ".join(str(text).split())
    return "\n".join("# " + line for line in textwrap.wrap(flat, WIDTH - 2) or [""])


def header_lines(setup, form: str, left_out: list | None = None) -> str:
    lines = [f'"""An nnlab run, written out {form}."""',
             f"# Run: {setup.name!r}" if setup.name else "# Run: (unnamed)",
             comment("Setup: " + setup.describe())]
    if setup.changed:
        lines.append(comment("Its settings changed while it trained (" + "; ".join(map(repr, setup.changed))
                             + "); this script trains with the last ones from the first epoch."))
    for note in left_out or []:
        lines.append(comment(note))
    return "\n".join(lines)
