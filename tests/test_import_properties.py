"""Properties: no file makes the import raise, and no broken file writes anything."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ratifications.importing import COLUMNS, plan_import
from ratifications.models import Action

# The database is only read by these examples, so one `empty_record` serves them all.
EXAMPLES = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# Valid together, in any selection and order, on a record where nobody has acted yet.
GOOD_ROWS = [
    ["Canada", "signature", "2026-07-15", "New York", "", "", "Press release"],
    ["MEX", "signature", "2026-07-16", "", "C.N.7.2026.TREATIES-XVIII.16", "", ""],
    ["Japan", "signature", "2026-08-03", "", "", "A note, with a comma", "UNTC"],
    ["norway", "signature", "2026-09-01", "", "", 'A "quoted" word', ""],
    ["IND", "signature", "2026-10-12", "", "", "", ""],
    ["Kenya", "accession", "2026-02-01", "", "", "", ""],
]


def snapshot():
    return list(Action.objects.values_list("pk", "updated_at").order_by("pk"))


def csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return stream.getvalue().encode()


def never_raises_and_writes_nothing(source, treaty) -> None:
    before = snapshot()
    plan = plan_import(source, treaty)
    if not plan.ok:
        with pytest.raises(ValueError):
            plan.apply()
    assert all(error.line >= 1 for error in plan.errors)
    assert snapshot() == before


@EXAMPLES
@given(data=st.binary(max_size=3000))
def test_no_bytes_make_the_check_raise(empty_record, data):
    never_raises_and_writes_nothing(data, empty_record)


@EXAMPLES
@given(text=st.text(max_size=2000))
def test_no_text_makes_the_check_raise(empty_record, text):
    never_raises_and_writes_nothing(text, empty_record)


@EXAMPLES
@given(
    rows=st.lists(
        st.lists(st.text(alphabet=st.characters(codec="utf-8"), max_size=30), max_size=9),
        max_size=8,
    )
)
def test_no_rows_under_a_good_header_make_the_check_raise(empty_record, rows):
    never_raises_and_writes_nothing(csv_bytes(list(COLUMNS), rows), empty_record)


def _break(data: st.DataObject, header: list[str], rows: list[list[str]]) -> bytes:
    """A good file with one thing wrong, chosen by hypothesis."""
    how = data.draw(
        st.sampled_from(
            [
                "drop a required column",
                "add an unknown column",
                "bad date",
                "row twice",
                "not UTF-8",
                "NUL",
                "unclosed quote",
                "huge value",
                "header only, garbled",
                "unknown participant",
                "too many values",
            ]
        )
    )
    row = data.draw(st.integers(0, len(rows) - 1))
    if how == "drop a required column":
        position = header.index(data.draw(st.sampled_from(["participant", "action", "date"])))
        return csv_bytes(
            header[:position] + header[position + 1 :],
            [r[:position] + r[position + 1 :] for r in rows],
        )
    if how == "add an unknown column":
        return csv_bytes([*header, "country"], [[*r, "x"] for r in rows])
    if how == "bad date":
        rows[row][header.index("date")] = data.draw(
            st.sampled_from(["2026-13-01", "15/07/2026", "", "2026-02-30"])
        )
    elif how == "row twice":
        rows.insert(data.draw(st.integers(0, len(rows))), list(rows[row]))
    elif how == "unknown participant":
        rows[row][header.index("participant")] = "Atlantis"
    elif how == "too many values":
        rows[row].append("surplus")
    elif how == "huge value":
        rows[row][header.index("note")] = "x" * 200_000
    good = csv_bytes(header, rows)
    at = data.draw(st.integers(len(",".join(header)) + 1, len(good)))
    if how == "not UTF-8":
        return good[:at] + b"\xff" + good[at:]
    if how == "NUL":
        return good[:at] + b"\x00" + good[at:]
    if how == "unclosed quote":
        lines = good.split(b"\n")
        lines[row + 1] += b',"never closed'
        return b"\n".join(lines)
    if how == "header only, garbled":
        return ",".join(header).encode()[: data.draw(st.integers(0, 20))] + b";;\n"
    return good


@EXAMPLES
@given(
    chosen=st.lists(st.sampled_from(range(len(GOOD_ROWS))), min_size=1, max_size=6, unique=True),
    order=st.permutations(COLUMNS),
    data=st.data(),
)
def test_a_broken_file_is_refused_whole_and_writes_nothing(
    empty_record, tmp_path, chosen, order, data
):
    header = list(order)
    rows = [[GOOD_ROWS[i][COLUMNS.index(name)] for name in header] for i in chosen]
    assert list(plan_import(csv_bytes(header, rows), empty_record).errors) == []

    broken = _break(data, header, rows)
    before = snapshot()
    plan = plan_import(broken, empty_record)
    assert plan.errors, broken
    path = tmp_path / "broken.csv"
    path.write_bytes(broken)
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command(
            "import_actions",
            str(path),
            "--treaty",
            empty_record.slug,
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert snapshot() == before
