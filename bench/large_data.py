"""The large synthetic data set of the HTTP benchmark, loaded through `import_actions`.

    DATABASE_URL=postgres://.../some_bench_db .venv/bin/python bench/large_data.py

On a migrated database with the defaults loaded (`load_defaults`), it adds:

- on the Hanoi Convention, a signature for every participant that has none and an
  instrument for four States in five (so the threshold is reached and entry into
  force is known), the European Union's formal confirmation after its members', and
  a few denunciations: about 400 verified actions in all, every date up to today;
- 49 more treaties (`bench-000` ... `bench-048`, adopted in 1990), each with every
  participant's history of ten actions over the years (a signature, an instrument,
  then denunciations and accessions): 97,020 actions.

Every row goes through `import_actions`, so the rules engine checks it: the data
is valid, not merely plentiful. Prints one line of counts. See bench/README.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import sys
import tempfile
from pathlib import Path

# The history generator and treaty maker of the import benchmark (which sets up Django).
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_import import (
    ACTIONS_PER_PARTICIPANT,
    HEADER,
    many_treaties,
    synthetic_rows,
    write_files,
)
from django.core.management import call_command

from ratifications.models import Action, Treaty
from ratifications.rules import ActionKind, today_in_new_york
from states.models import Participant

OTHER_TREATIES = 49
INSTRUMENTS = [ActionKind.RATIFICATION, ActionKind.ACCEPTANCE, ActionKind.APPROVAL]


def hanoi_rows(treaty: Treaty, today: dt.date) -> list[list[str]]:
    """Signatures for all, instruments for most, after the real signatures already there."""
    signed = set(
        Action.objects.verified()
        .for_treaty(treaty)
        .filter(kind=ActionKind.SIGNATURE)
        .values_list("participant__iso3", flat=True)
    )
    states = list(Participant.objects.exclude(kind="reio").order_by("name"))
    organizations = list(Participant.objects.filter(kind="reio").order_by("name"))
    first_day = dt.date(2025, 11, 20)
    span = max(1, (today - first_day).days - 60)
    rows, deposits = [], []
    for n, state in enumerate(states):
        signature = treaty.signature_opens_on
        if state.iso3 not in signed:
            signature = first_day + dt.timedelta(days=n * 7 % span)
            rows.append([state.iso3, "signature", signature.isoformat()])
        if n % 5 != 4:
            deposit = signature + dt.timedelta(days=30 + n * 11 % 30)
            deposits.append(deposit)
            kind = INSTRUMENTS[n % 3]
            rows.append([state.iso3, kind.value, deposit.isoformat()])
            # A few denounce, received after their deposit (in effect a year later).
            if n % 37 == 0 and deposit + dt.timedelta(days=20) <= today:
                rows.append(
                    [state.iso3, "denunciation", (deposit + dt.timedelta(days=20)).isoformat()]
                )
    for organization in organizations:
        after = max(deposits) + dt.timedelta(days=1)
        if organization.iso3 not in signed:
            rows.append([organization.iso3, "signature", first_day.isoformat()])
        rows.append([organization.iso3, "formal_confirmation", min(after, today).isoformat()])
    assert all(dt.date.fromisoformat(day) <= today for _p, _k, day in rows)
    return [
        [iso3, kind, day, "New York", "", "", "Synthetic benchmark data"]
        for iso3, kind, day in rows
    ]


def import_file(treaty: Treaty, rows: list[list[str]], directory: Path) -> None:
    path = directory / f"{treaty.slug}.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows)
    call_command("import_actions", str(path), "--treaty", treaty.slug, stdout=io.StringIO())


def main() -> None:
    hanoi = Treaty.objects.get(slug="hanoi-convention")
    participants = list(Participant.objects.order_by("kind", "name"))
    with tempfile.TemporaryDirectory() as temporary:
        directory = Path(temporary)
        import_file(hanoi, hanoi_rows(hanoi, today_in_new_york()), directory)
        rows = OTHER_TREATIES * len(participants) * ACTIONS_PER_PARTICIPANT
        files = write_files(
            synthetic_rows(rows, participants, ACTIONS_PER_PARTICIPANT, many_treaties()),
            directory,
            "bench",
        )
        for treaty, path, _count in files:
            call_command("import_actions", str(path), "--treaty", treaty.slug, stdout=io.StringIO())
    status = hanoi.status()
    print(
        f"{Treaty.objects.count()} treaties, {Participant.objects.count()} participants, "
        f"{Action.objects.verified().count():,} verified actions; the Hanoi Convention: "
        f"{status.status.signatories} signatories, {status.status.instruments_counted} "
        f"instruments counted, entry into force {status.status.entry_into_force}"
    )


if __name__ == "__main__":
    main()
