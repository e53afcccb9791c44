from django.core.management.base import BaseCommand

from articles.ingest.jsonl import export_lines
from articles.ingest.photo_files import PhotoFilesWriter
from articles.models import Article


class Command(BaseCommand):
    help = ("Write every article (drafts too) to stdout as JSON Lines; see the README for the format. With "
            "--media, the photos' original files go to a directory or a .tar/.tar.gz archive beside it, for "
            "import_dump --media.")

    def add_arguments(self, parser):
        parser.add_argument("--status", choices=[choice.value for choice in Article.Status], help="Only this status.")
        parser.add_argument("--media", metavar="DIR_OR_ARCHIVE",
                            help="Also write the photos' original files here (a directory, or .tar, .tar.gz).")

    def handle(self, *args, status=None, media=None, **options):
        queryset = Article.objects.all()
        if status:
            queryset = queryset.filter(status=status)
        photo_files = PhotoFilesWriter(media) if media else None
        try:
            for line in export_lines(queryset, photo_files):
                self.stdout.write(line)
        finally:
            if photo_files is not None:
                photo_files.close()
        if photo_files is not None:
            self.stderr.write(f"Wrote {len(photo_files.written)} photo file(s) to {media}.")
