import json

from django.core.management.base import BaseCommand

from articles.duplicates.finder import duplicates_rescan
from articles.duplicates.selectors import duplicate_candidates_as_dicts


class Command(BaseCommand):
    help = (
        "Rescan all articles, images and tags for duplicates (after a threshold change or a bulk edit). "
        "Pairs an editor dismissed or merged keep their status. With --format json, print the open "
        "candidates instead of a summary."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument("--no-rescan", action="store_true", help="Only list; do not rescan first.")
        parser.add_argument("--recompute", action="store_true",
                            help="Re-sign every article, not only those whose text changed since it was signed.")
        parser.add_argument("--status", choices=["open", "dismissed", "merged", "all"], default="open",
                            help="Which candidates --format json lists (default: open).")

    def handle(self, *args, format, no_rescan, recompute, status, **options):
        counts = None if no_rescan else duplicates_rescan(recompute=recompute)
        if format == "json":
            rows = duplicate_candidates_as_dicts(status=None if status == "all" else status)
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1))
            return
        if counts:
            self.stdout.write(
                f"Re-signed {counts['signatures']} article(s). Candidate pairs found: "
                f"{counts['article_pairs']} article, {counts['image_pairs']} image, {counts['tag_pairs']} tag, "
                f"{counts['author_pairs']} author."
            )
        rows = duplicate_candidates_as_dicts(status="open")
        self.stdout.write(self.style.SUCCESS(f"{len(rows)} open candidate(s) to review in the admin."))
