from datetime import timedelta

from django.core.management.base import BaseCommand

from media.originals import GRACE, originals_sweep


class Command(BaseCommand):
    help = ("Remove photo originals that no image names (left by an import that was killed), once they are "
            "older than a grace period.")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List them; remove nothing.")
        parser.add_argument("--older-than", type=float, default=GRACE.total_seconds() / 3600, metavar="HOURS",
                            help="Only files last written longer ago than this (default: %(default)g hours), so "
                                 "an import still running keeps its files.")

    def handle(self, *args, dry_run, older_than, **options):
        names = originals_sweep(older_than=timedelta(hours=older_than), dry_run=dry_run)
        for name in names:
            self.stdout.write(name)
        verb = "Would remove" if dry_run else "Removed"
        self.stdout.write(self.style.SUCCESS(f"{verb} {len(names)} original(s) that no image names."))
