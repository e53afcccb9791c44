import json

from django.core.management.base import BaseCommand, CommandError

from devtools.dumpgen import write_dump


class Command(BaseCommand):
    help = (
        "Write a synthetic dump of N generated articles in the scraped-dump format, optionally with "
        "planted exact and near-duplicate copies (for tests and benchmarks)."
    )

    def add_arguments(self, parser):
        parser.add_argument("n", type=int, help="Number of distinct articles.")
        parser.add_argument("out", help="Output file, or - for stdout.")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--exact-duplicates", type=int, default=0, help="Exact copies to plant.")
        parser.add_argument("--near-duplicates", type=int, default=0, help="Edited copies to plant.")
        parser.add_argument("--follow-ups", type=int, default=0,
                            help="Different stories reusing an earlier one's photo and a paragraph (not copies).")
        parser.add_argument("--paragraphs", default="3-15", help="Paragraphs per article, as MIN-MAX (e.g. 2-5).")
        parser.add_argument("--crlf", action="store_true", help="Windows line endings.")
        parser.add_argument("--noise", action="store_true",
                            help="Add real dumps' noise: NBSPs, leading spaces, varying blank lines and widgets.")
        parser.add_argument("--truth", help="Write the planted (original, copy, kind) pairs to this JSON file.")

    def handle(self, *args, n, out, seed, exact_duplicates, near_duplicates, follow_ups, paragraphs, crlf, noise,
               truth, **options):
        if n < 1:
            raise CommandError("N must be at least 1")
        try:
            low, high = (int(part) for part in paragraphs.split("-"))
        except ValueError:
            raise CommandError(f"--paragraphs: expected MIN-MAX such as 2-5, got {paragraphs!r}") from None
        if not 1 <= low <= high:
            raise CommandError(f"--paragraphs: expected 1 <= MIN <= MAX, got {paragraphs!r}")
        kwargs = dict(seed=seed, exact_duplicates=exact_duplicates, near_duplicates=near_duplicates,
                      follow_ups=follow_ups, paragraphs=(low, high), crlf=crlf, noise=noise)
        if out == "-":
            pairs = write_dump(self.stdout._out, n, **kwargs)
        else:
            with open(out, "w", encoding="utf-8", newline="") as f:
                pairs = write_dump(f, n, **kwargs)
        if truth:
            with open(truth, "w", encoding="utf-8") as f:
                json.dump([list(pair) for pair in pairs], f)
        if out != "-":
            self.stdout.write(self.style.SUCCESS(
                f"Wrote {n} articles, {len(pairs) - follow_ups} planted duplicate(s) and {follow_ups} follow-up(s) "
                f"to {out}."
            ))
