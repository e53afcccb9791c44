from django.core.management.base import BaseCommand

from media.models import Image
from media.photos import rendition_key


class Command(BaseCommand):
    help = ("Make the renditions readers get for every photo that lacks current ones (after an upgrade, or a "
            "change to the rendition rules); --all makes them again for every photo.")

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="Every photo, current or not.")

    def handle(self, *args, all, **options):
        made = failed = 0
        for image in Image.objects.exclude(file="").iterator(chunk_size=200):
            if not all and image.renditions.get("key") == rendition_key(image.file_hash, image.focal):
                continue
            try:
                image.renditions_refresh()
                made += 1
            except Exception as error:  # noqa: BLE001 - one unreadable photo must not stop the others
                failed += 1
                self.stderr.write(f"image {image.pk} ({image.file.name}): {error}")
        self.stdout.write(self.style.SUCCESS(f"Made renditions for {made} photo(s)."))
        if failed:
            self.stdout.write(self.style.WARNING(f"{failed} photo(s) could not be read; see above."))
