"""Labs (and rooms: memory_rooms.py) in this process's memory: the interface without a database.  Used when
the database cannot be (open_store's fallback, with `warning` set) and in tests."""
from __future__ import annotations

import threading
import time

from nnlab.store.base import MAX_MODELS, MAX_PART_BYTES, Lab, LabStore, StoreError, new_token
from nnlab.store.memory_rooms import MemoryRooms


class MemoryStore(MemoryRooms, LabStore):
    kind = "memory"

    def __init__(self, warning: str = ""):
        self.warning = warning
        self._labs: dict = {}
        self._lock = threading.RLock()
        self._rooms_init()

    def create_lab(self) -> str:
        token, now = new_token(), time.time()
        with self._lock:
            self._labs[token] = Lab(token, created=now, used=now)
        return token

    def lab_exists(self, token) -> bool:
        return token in self._labs

    def load_lab(self, token):
        with self._lock:
            lab = self._labs.get(token)
            if lab is None:
                return None
            lab.used = time.time()
            return Lab(token, dict(lab.parts), dict(lab.models), lab.created, lab.used)

    def _lab(self, token) -> Lab:
        lab = self._labs.get(token)
        if lab is None:  # deleted meanwhile: not brought back
            raise StoreError("gone")
        lab.used = time.time()
        return lab

    def save_parts(self, token, parts):
        if any(v is not None and len(v) > MAX_PART_BYTES for v in parts.values()):
            raise StoreError("too-large")
        with self._lock:
            lab = self._lab(token)
            for name, value in parts.items():
                if value is None:
                    lab.parts.pop(name, None)
                else:
                    lab.parts[name] = bytes(value)

    def save_models(self, token, models, parts=None):
        with self._lock:
            lab = self._lab(token)
            keep = sorted(int(k) for k in models)[-MAX_MODELS:]
            lab.models = {k: lab.models[k] if models[k] is None else bytes(models[k]) for k in keep
                          if models[k] is not None or k in lab.models}
        if parts:
            self.save_parts(token, parts)

    def delete_lab(self, token):
        with self._lock:
            self._labs.pop(token, None)

    def purge_unused(self, days):
        cutoff = time.time() - days * 86400
        with self._lock:
            old = [t for t, lab in self._labs.items() if lab.used < cutoff]
            for t in old:
                del self._labs[t]
            return len(old) + self._purge_rooms(cutoff)

    def labs(self):
        return list(self._labs)
