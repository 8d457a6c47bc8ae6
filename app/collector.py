"""The cyclic garbage collector paused around work that makes many objects at once."""

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class CollectorPause:
    """Pauses the cyclic garbage collector while a piece of work runs that makes tens of thousands of objects
    living until its end: a batch of measures, an export (its table computed, then its file written). The collector
    would otherwise walk the whole heap (reference geography included) several times per batch, a third of a
    batch's time, and once every few national exports (a full collection, as long as the rest of the export).
    Cycles made meanwhile are collected afterwards.

    The collector is one per process, and so is its pause (`gc_paused`): overlapping works (threads) share it,
    and collection resumes when the last one ends, as it was before the first began."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holders = 0
        self._was_enabled = True

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self._lock:
            if self._holders == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._holders += 1
        try:
            yield
        finally:
            with self._lock:
                self._holders -= 1
                if self._holders == 0 and self._was_enabled:
                    gc.enable()


gc_paused = CollectorPause()
