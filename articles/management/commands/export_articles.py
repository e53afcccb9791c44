from django.core.management.base import BaseCommand

from articles.ingest.jsonl import export_lines
from articles.models import Article


class Command(BaseCommand):
    help = "Write every article (drafts too) to stdout as JSON Lines; see the README for the format."

    def add_arguments(self, parser):
        parser.add_argument("--status", choices=[choice.value for choice in Article.Status], help="Only this status.")

    def handle(self, *args, status=None, **options):
        queryset = Article.objects.all()
        if status:
            queryset = queryset.filter(status=status)
        for line in export_lines(queryset):
            self.stdout.write(line)
