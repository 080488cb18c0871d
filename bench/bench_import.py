"""How fast `import_actions` is against a plain bulk insert, and whether its memory stays flat.

    .venv/bin/python bench/bench_import.py  # on DATABASE_URL

Works in a database of its own (the configured one's name + "_bench", created and
dropped here), so it never touches real data. See bench/README.md.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import itertools
import os
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "treatytrack.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from ratifications.importing import BATCH_SIZE  # noqa: E402
from ratifications.models import Action, Treaty  # noqa: E402
from ratifications.rules import ActionKind, add_months  # noqa: E402
from states.models import Participant  # noqa: E402

# Ten actions a participant: a signature, an instrument, then denunciations and
# accessions, each accession after the denunciation before it took effect.
ACTIONS_PER_PARTICIPANT = 10
ADOPTED = dt.date(1990, 1, 1)
INSTRUMENTS = [ActionKind.RATIFICATION, ActionKind.ACCEPTANCE, ActionKind.APPROVAL]
# For the single-file measure: States with long histories.
ONE_FILE_PARTICIPANTS = 600
HEADER = ["participant", "action", "date", "place", "notification", "note", "source"]


def history(
    position: int, participant: Participant, adopted: dt.date
) -> Iterator[tuple[ActionKind, dt.date]]:
    """A participant's history on a synthetic treaty, valid under its rules, as long as asked."""
    if participant.is_reio:
        # After its member States (rule 3), who sign and deposit in the first year.
        signed, kind = (
            add_months(adopted, 12) - dt.timedelta(days=1),
            ActionKind.FORMAL_CONFIRMATION,
        )
    else:
        signed, kind = adopted + dt.timedelta(days=position % 300), INSTRUMENTS[position % 3]
    yield ActionKind.SIGNATURE, signed
    day = signed + dt.timedelta(days=30 + position % 60)
    yield kind, day
    while True:
        day += dt.timedelta(days=200)
        yield ActionKind.DENUNCIATION, day
        day = add_months(day, 12) + dt.timedelta(days=10)
        yield ActionKind.ACCESSION, day


def treaty(slug: str, adopted: dt.date) -> Treaty:
    return Treaty.objects.get_or_create(
        slug=slug,
        defaults={
            "short_name": slug,
            "title": f"Benchmark convention {slug}",
            "adopted_on": adopted,
            "signature_opens_on": adopted,
            "signature_closes_on": add_months(adopted, 24) - dt.timedelta(days=1),
            "threshold": 40,
            "entry_into_force_days": 90,
            "later_entry_into_force_days": 30,
        },
    )[0]


def synthetic_rows(
    rows: int, participants: list[Participant], per_participant: int, treaties: Iterator[Treaty]
) -> Iterator[tuple[Treaty, list]]:
    """(treaty, CSV row) for `rows` rows: every participant on the first treaty, then the next."""
    made = 0
    for treaty_ in treaties:
        for position, participant in enumerate(participants):
            actions = history(position, participant, treaty_.adopted_on)
            for _ in range(per_participant):
                kind, day = next(actions)
                yield (
                    treaty_,
                    [
                        participant.name,
                        kind.value,
                        day.isoformat(),
                        "New York",
                        f"C.N.{made}.{day.year}.TREATIES-BENCH",
                        "",
                        "Synthetic benchmark data",
                    ],
                )
                made += 1
                if made == rows:
                    return


def many_treaties() -> Iterator[Treaty]:
    for number in itertools.count():
        yield treaty(f"bench-{number:03d}", ADOPTED)


def write_files(rows_by_treaty, directory: Path, prefix: str) -> list[list]:
    """One CSV file a treaty, as a depositary would send them: [[treaty, path, rows]]."""
    files, stream, writer = [], None, None
    for treaty_, row in rows_by_treaty:
        if not files or files[-1][0] != treaty_:
            if stream:
                stream.close()
            path = directory / f"{prefix}-{treaty_.slug}.csv"
            stream = path.open("w", encoding="utf-8", newline="")
            writer = csv.writer(stream, lineterminator="\n")
            writer.writerow(HEADER)
            files.append([treaty_, path, 0])
        writer.writerow(row)
        files[-1][2] += 1
    stream.close()
    return files


def synthetic_participants(count: int) -> list[Participant]:
    """States that do not exist, with codes no real State has (each holds a digit)."""
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    codes = [f"{d}{c}" for d in "0123456789" for c in "0123456789" + letters]
    codes += [f"{c}{d}" for c in letters for d in "0123456789"]
    return Participant.objects.bulk_create(
        Participant(name=f"Benchland {n}", iso2=codes[n], iso3=f"{n:03d}", regional_group="")
        for n in range(count)
    )


def prebuilt_actions(rows_by_treaty) -> list[Action]:
    by_name = {p.name: p for p in Participant.objects.all()}
    now = timezone.now()
    return [
        Action(
            treaty=treaty_,
            participant=by_name[name],
            kind=kind,
            date=dt.date.fromisoformat(day),
            place=place,
            notification=notification,
            note=note,
            source=source,
            review=Action.Review.VERIFIED,
            submitted_at=now,
            reviewed_at=now,
        )
        for treaty_, (name, kind, day, place, notification, note, source) in rows_by_treaty
    ]


def empty_actions() -> None:
    tables = [Action._meta.db_table, Action.history.model._meta.db_table]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)}")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")


def import_files(files) -> None:
    for treaty_, path, _rows in files:
        call_command("import_actions", str(path), "--treaty", treaty_.slug, stdout=io.StringIO())


@contextmanager
def counting_queries():
    count = [0]

    def counter(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        yield count


def peak_memory(run) -> int:
    tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def megabytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="Rows to import (100,000).")
    parser.add_argument(
        "--small", type=int, default=10_000, help="The smaller run for memory (10,000)."
    )
    options = parser.parse_args()
    # DEBUG keeps every query's SQL; that would be measured as the import's memory.
    settings.DEBUG = False
    name = connection.settings_dict["NAME"]
    connection.settings_dict["TEST"]["NAME"] = f"{Path(str(name)).stem}_bench"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        run(options.rows, options.small)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run(rows: int, small: int) -> None:
    call_command("load_defaults", stdout=io.StringIO())
    participants = list(Participant.objects.order_by("kind", "name"))

    def spread(count: int):
        return synthetic_rows(count, participants, ACTIONS_PER_PARTICIPANT, many_treaties())

    with tempfile.TemporaryDirectory() as temporary:
        directory = Path(temporary)
        files = write_files(spread(rows), directory, "all")
        size = sum(path.stat().st_size for _t, path, _r in files)
        print(f"Database: {connection.vendor} ({connection.settings_dict['NAME']})")
        print(
            f"Rows: {rows:,} in {len(files)} CSV files, one a treaty ({len(participants)} "
            f"participants x {ACTIONS_PER_PARTICIPANT} actions), {size / 1e6:.1f} MB"
        )
        empty_actions()

        actions = prebuilt_actions(spread(rows))
        with transaction.atomic():
            start = time.perf_counter()
            Action.objects.bulk_create(actions, batch_size=BATCH_SIZE)
            plain = time.perf_counter() - start
        del actions
        print(
            f"Plain bulk insert (Action.objects.bulk_create of prebuilt objects, "
            f"batches of {BATCH_SIZE}): {plain:.2f} s"
        )
        empty_actions()

        with counting_queries() as queries:
            start = time.perf_counter()
            import_files(files)
            imported = time.perf_counter() - start
        assert Action.objects.count() == rows, "the import did not write every row"
        assert Action.history.count() == rows, "the import did not record every row's history"
        print(
            f"import_actions, file by file (read, check every row with the rules engine, "
            f"write with history): {imported:.2f} s = {imported / plain:.2f} x the plain insert"
        )
        batches = sum(-(-count // BATCH_SIZE) for _t, _p, count in files)
        print(
            f"Queries: {queries[0]:,} for {len(files)} files, {batches} batches "
            f"({queries[0] / len(files):.1f} a file of up to {BATCH_SIZE} rows)"
        )

        print("Peak memory (tracemalloc) of the import:")
        small_files = write_files(spread(small), directory, "some")
        compare_memory("  the same files", small, small_files, rows, files)

        # One treaty's file as large as the whole set: imaginary States with
        # long histories, so that memory is measured within a single file.
        states = synthetic_participants(ONE_FILE_PARTICIPANTS)
        single = treaty("bench-one-file", dt.date(1800, 1, 1))

        def one_file(count: int, prefix: str):
            per_state = -(-count // len(states))
            return write_files(
                synthetic_rows(count, states, per_state, iter([single])), directory, prefix
            )

        compare_memory(
            f"  one file ({len(states)} States)",
            small,
            one_file(small, "one-small"),
            rows,
            one_file(rows, "one-large"),
        )
        empty_actions()
        prebuilt = peak_memory(lambda: prebuilt_actions(spread(rows)))
        print(f"  for comparison, {rows:,} prebuilt Action objects: {megabytes(prebuilt)}")


def compare_memory(label: str, small: int, small_files, rows: int, files) -> None:
    memory = {}
    for count, chosen in ((small, small_files), (rows, files)):
        empty_actions()
        memory[count] = peak_memory(lambda chosen=chosen: import_files(chosen))
    print(
        f"{label}: {small:,} rows {megabytes(memory[small])}, {rows:,} rows "
        f"{megabytes(memory[rows])} (ratio {memory[rows] / memory[small]:.2f})"
    )


if __name__ == "__main__":
    main()
