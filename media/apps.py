from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class MediaConfig(AppConfig):
    name = "media"
    verbose_name = "Images"

    def ready(self):
        from articles.cache import invalidate_on_change

        # Captions, credits and files show on readers' cached pages.
        image = self.get_model("Image")
        post_save.connect(invalidate_on_change, sender=image, dispatch_uid="reader-cache-Image")
        post_delete.connect(invalidate_on_change, sender=image, dispatch_uid="reader-cache-Image")
