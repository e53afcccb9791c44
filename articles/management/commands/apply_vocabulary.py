from django.core.management.base import BaseCommand

from articles.ingest.vocabulary import vocabulary_apply
from articles.models import Tag


class Command(BaseCommand):
    help = (
        "Tag stored articles with every tag (or alias) their headline or body names and they lack, as imports "
        "tag new ones. Nothing is taken away; each article tagged gets a new version. --dry-run only counts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count what would change; write nothing.")

    def handle(self, *args, dry_run, **options):
        report = vocabulary_apply(dry_run=dry_run)
        names = dict(Tag.objects.filter(pk__in=report.by_tag).values_list("pk", "name"))
        for tag_id, count in sorted(report.by_tag.items(), key=lambda item: (-item[1], names[item[0]].casefold())):
            self.stdout.write(f"  {names[tag_id]}: {count} article(s)")
        verb = "would gain" if dry_run else "gained"
        self.stdout.write(self.style.SUCCESS(
            f"{report.articles_tagged} of {report.articles_checked} article(s) {verb} {report.tags_added} tag(s)"
            + (" (dry run: nothing written)." if dry_run else ".")))
