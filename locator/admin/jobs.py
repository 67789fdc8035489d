"""The console's background check of an upload: placing addresses by the geocoder takes
minutes (70 addresses at Nominatim's 1 request a second), gunicorn ends a request at 30 s.

The job is a thread in the process that took the upload; its state and progress are in the
database (store.jobs), so the progress page, on any worker, shows them and survives a reload.
The job only asks the geocoder: each answer is kept in the cache as it arrives, and the
preview that follows checks the file again, from the cache, in its own request.

If the process ends (a restart, a deploy, a crash) the job's heartbeat stops; the progress
page, finding it silent for longer than `stale_after`, starts it again in its own process,
and since every answer so far is cached it asks only for the rest.
"""

import logging
import threading
import time

from locator import datasets
from locator.admin.uploads import Pending
from locator.geocoding.settings import GeocoderSettings
from locator.ingest.importer import ImportSettings
from locator.store import Store

LOG = logging.getLogger(__name__)
RUNNING, DONE, FAILED = "running", "done", "failed"
MIN_STALE_S = 60


def start(database: str, admin_id: int, pending: Pending, settings: ImportSettings,
          geocoder: GeocoderSettings) -> threading.Thread:
    """Record the job as running and start its thread (which opens its own connection)."""
    store = Store(database)
    try:
        store.jobs.start(admin_id, pending.sha256, time.time())
    finally:
        store.close()
    thread = threading.Thread(target=run, args=(database, admin_id, pending, settings, geocoder),
                              name=f"geocode-{pending.sha256[:8]}", daemon=True)
    thread.start()
    return thread


def run(database: str, admin_id: int, pending: Pending, settings: ImportSettings,
        geocoder: GeocoderSettings) -> None:
    """Check the file once, geocoding what is not cached, recording progress; then done."""
    store = Store(database)
    try:
        def advance(done: int, total: int) -> None:
            """One more address answered: the page's count and the job's heartbeat."""
            store.jobs.advance(admin_id, pending.sha256, done, total, time.time())

        datasets.check_file(store, pending.data, pending.filename, merge=pending.merge,
                            allow_empty=pending.allow_empty, settings=settings,
                            sha256=pending.sha256, geocoder=geocoder, geocoded=advance)
        store.jobs.finish(admin_id, pending.sha256, DONE, "", time.time())
    except Exception as exc:  # the page must say it stopped, whatever stopped it
        LOG.exception("background check of %s failed", pending.filename)
        store.jobs.finish(admin_id, pending.sha256, FAILED, f"{type(exc).__name__}: {exc}",
                          time.time())
    finally:
        store.close()


def stale_after(geocoder: GeocoderSettings) -> float:
    """Seconds without progress after which a running job is taken for dead: well beyond the
    longest one request may take (the rate's wait plus the timeout)."""
    return max(MIN_STALE_S, 3 * (1 / geocoder.rate + geocoder.timeout_s))


def is_stale(job: dict, geocoder: GeocoderSettings, now: float) -> bool:
    """Whether a job still marked running has stopped giving signs of life."""
    return job["state"] == RUNNING and job["updated_at"] < now - stale_after(geocoder)
