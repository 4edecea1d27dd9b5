"""The lab store: where a lab's work is kept between visits (docs/lab.md).

    store = open_store()                  # SQLite in NNLAB_HOME (default ~/.nnlab), or memory
    token = store.create_lab()            # 32 URL-safe characters, 192 random bits
    store.save_part(token, "controls", b'{"ctl_lr": 0.01}')
    store.load_lab(token).parts["controls"]
    room = store.open_room(token, setup={})   # a room learners join and post runs to (rooms.py)

One small interface (`LabStore`, base.py); `SQLiteStore` keeps labs and rooms in one file
(sqlite.py), `PostgresStore` in a PostgreSQL database (postgres.py; NNLAB_STORE chooses:
choose.py), both with the same SQL (sql.py, sql_rooms.py); `MemoryStore` keeps them in
this process only and is what `open_store` returns when the database cannot be used
(missing, read-only, locked, full, corrupt, a server that does not answer) — with
`store.warning` saying why, in a learner's words.
Nothing here imports Streamlit; the app's side is pages/helpers/lab.py.
"""
from nnlab.store.base import (
    DAYS_ENV,
    DEFAULT_DAYS,
    HOME_ENV,
    MAX_MODELS,
    MAX_PART_BYTES,
    Lab,
    LabStore,
    StoreError,
    home_dir,
    lab_days,
    new_token,
    parse_token,
)
from nnlab.store.choose import STORE_ENV, open_store, store_target
from nnlab.store.memory import MemoryStore
from nnlab.store.rooms import (
    ROOM_ALPHABET,
    Room,
    RoomPost,
    animal_name,
    learner_key,
    new_room_code,
    parse_room_code,
)
from nnlab.store.sqlite import SQLiteStore

__all__ = ["DAYS_ENV", "DEFAULT_DAYS", "HOME_ENV", "MAX_MODELS", "MAX_PART_BYTES", "Lab", "LabStore", "StoreError",
           "home_dir", "lab_days", "new_token", "parse_token", "MemoryStore", "SQLiteStore", "open_store",
           "STORE_ENV", "store_target", "ROOM_ALPHABET", "Room", "RoomPost", "animal_name", "learner_key",
           "new_room_code", "parse_room_code"]
