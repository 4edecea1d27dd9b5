"""The lab store: where a lab's work is kept between visits (docs/lab.md).

    store = open_store()                  # SQLite in NNLAB_HOME (default ~/.nnlab), or memory
    token = store.create_lab()            # 32 URL-safe characters, 192 random bits
    store.save_part(token, "controls", b'{"ctl_lr": 0.01}')
    store.load_lab(token).parts["controls"]

One small interface (`LabStore`, base.py); `SQLiteStore` keeps labs in one file
(sqlite.py); `MemoryStore` keeps them in this process only and is what
`open_store` returns when the database cannot be used (missing, read-only,
locked, full or corrupt) — with `store.warning` saying why, in a learner's words.
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
from nnlab.store.memory import MemoryStore
from nnlab.store.sqlite import SQLiteStore, open_store

__all__ = ["DAYS_ENV", "DEFAULT_DAYS", "HOME_ENV", "MAX_MODELS", "MAX_PART_BYTES", "Lab", "LabStore", "StoreError",
           "home_dir", "lab_days", "new_token", "parse_token", "MemoryStore", "SQLiteStore", "open_store"]
