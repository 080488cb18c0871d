from django.core.management.base import BaseCommand, CommandError

from ratifications import projection
from ratifications.projection import DEFAULT_CLASS, INTERVAL, ReferenceClass


class Command(BaseCommand):
    help = (
        "Back-test the entry-into-force projection on the reference treaties themselves: for "
        "each, 6, 12 and 24 months after it opened (while short of its threshold), the range "
        "its peers give (leaving it and its own protocols or parent out), and whether its real "
        "threshold date fell inside. Prints each trial and the coverage, and fails when the "
        "coverage is more than 15 points from the interval's stated coverage (50%). Reads only "
        "the shipped data (ratifications/data/base_rates/); writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--class",
            dest="kind",
            choices=ReferenceClass.values,
            default=DEFAULT_CLASS.value,
            help=f"The reference class (default: {DEFAULT_CLASS.value}, the rule).",
        )

    def handle(self, *args, kind, **options):
        result = projection.backtest(ReferenceClass(kind))
        self.stdout.write(f"Reference class: {result.reference_class.label}")
        for trial in result.trials:
            treaty, found = trial.treaty, trial.projection
            where = f"{treaty.key} at {trial.months} months ({trial.counted}/{treaty.threshold})"
            if found.projected:
                rng = found.threshold_date
                verdict = "inside" if trial.inside else "outside"
                self.stdout.write(
                    f"{where}: {rng.low} to {rng.high}, median {rng.median}; "
                    f"real {treaty.threshold_date}: {verdict}"
                )
            else:
                left = len(found.reference_treaties)
                self.stdout.write(f"{where}: no range (only {left} comparable treaties left)")
        for treaty, months in result.already_reached:
            self.stdout.write(f"{treaty.key} at {months} months: threshold already reached")
        if result.coverage is None:
            raise CommandError("No range could be computed: nothing to judge.")
        percent, stated = round(result.coverage * 100), round(INTERVAL * 100)
        self.stdout.write(
            f"Coverage: {result.inside} of {len(result.judged)} real threshold dates inside the "
            f"stated {stated}% range ({percent}%)."
        )
        self.stdout.write(
            f"Outside: {result.later} later than the range, {result.earlier} earlier."
        )
        if not result.acceptable:
            raise CommandError(f"{percent}% is more than 15 points from the stated {stated}%.")
        self.stdout.write(f"Within 15 points of the stated {stated}%.")
