"""What the pages share: not pages themselves (app.py routes only the scripts in pages/).

common (state, the sidebar, `frame()`), controls + controls_ui (values and widgets),
live_run (one live run's state and loop) with training_run and playground_run,
lab + lab_ui (the lab store's hooks), share + qr, errors, wording, lessons_text, style,
present (presenter mode), streamlit_compat (workarounds, each with its reason),
room_join, room_post, room_board and room_owner (a workshop's room: docs/room.md)."""
