"""Editors' originals on an S3-compatible store (MEDIA_STORAGE=s3): never something a browser shows.

An object's type and disposition are what the store answers with, whoever
fetches it: the type of the format found in the file (its name's extension,
see image_upload_to), and always a download, so a file that is also a web
page never runs on the bucket's origin.
"""

from storages.backends.s3 import S3Storage

from media.photos import original_content_type


class OriginalsS3Storage(S3Storage):
    def get_object_parameters(self, name):
        return {**super().get_object_parameters(name), "ContentType": original_content_type(name),
                "ContentDisposition": "attachment"}

    def url(self, name, parameters=None, expire=None, http_method=None):
        # Objects stored before this rule still carry the type their sender claimed; a signed
        # link overrides it.
        parameters = {"ResponseContentType": original_content_type(name), "ResponseContentDisposition": "attachment",
                      **(parameters or {})}
        return super().url(name, parameters, expire, http_method)
