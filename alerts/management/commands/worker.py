import logging
import os
import threading
import time

from django.conf import settings
from django.db import connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from alerts.tasks import tick, work_waiting

log = logging.getLogger("alerts.worker")


class Command(db_worker.Command):
    help = (
        "The background worker: runs the queued tasks (the task library's db_worker, with "
        "the same options) and keeps the alerts' clock. Every --tick seconds (default "
        "ALERTS_TICK_SECONDS) it queues the alerts' tick if there is work for it: events "
        "left by a stopped worker, deliveries due (retries included), the daily check. "
        "Run one or more beside the web server (`make run` starts one); several share the "
        "work and never send one alert twice (docs/alerts.md)."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--tick",
            type=float,
            default=settings.ALERTS_TICK_SECONDS,
            help="Seconds between two looks for due work (default: ALERTS_TICK_SECONDS).",
        )

    def handle(self, *args, tick: float, **options):
        # With --reload, the process that runs the tasks is the reloader's child.
        runs_tasks = not options["reload"] or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true"
        if runs_tasks and not options["batch"]:
            threading.Thread(target=_clock, args=(tick,), name="alerts-clock", daemon=True).start()
        super().handle(*args, **options)


def _clock(seconds: float) -> None:
    """Queue the tick when there is work and none is queued; the worker's loop runs it.

    The library runs what is queued and nothing else: after a worker is killed, the
    task it was running is never run again, and a retry's or a day's work needs
    someone to ask for it. The clock asks, from every worker; the tick is harmless twice.
    """
    while True:
        try:
            queued = DBTaskResult.objects.ready().filter(task_path=tick.module_path).exists()
            if not queued and work_waiting():
                tick.enqueue()
        except Exception:
            log.exception("The alerts' clock could not look for work; it looks again.")
        finally:
            connections.close_all()
        time.sleep(seconds)
