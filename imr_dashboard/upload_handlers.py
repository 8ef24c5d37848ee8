"""The default upload handler: no page takes a file, except the one that sets its own handler.

Only the analysts' local-data upload (`localdata.uploads.upload`) replaces
`request.upload_handlers` with its own size-limited, in-memory handler. Everywhere else a
multipart body that carries a file is refused with a 400 before any of the file is kept.
"""

from django.core.exceptions import TooManyFilesSent
from django.core.files.uploadhandler import FileUploadHandler


class RefuseFiles(FileUploadHandler):
    def new_file(self, *args, **kwargs):
        raise TooManyFilesSent("This page does not take files.")

    def receive_data_chunk(self, raw_data, start):  # not reached: new_file refuses first
        return None

    def file_complete(self, file_size):  # not reached
        return None
