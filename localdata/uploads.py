"""The analysts' upload pages: templates, preview, commit, history, restore, purge, originals.

Thin views over `localdata.loading`; every page here is for analysts (and administrators) with a
second factor. The file is held in memory up to the size limit and refused beyond it before it
is read (`LimitedUpload`); it is never written to the web server's disk.
"""

from __future__ import annotations

import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from localdata import loading
from localdata.access import analyst_required, can_purge
from localdata.models import Template, Upload, UploadEvent
from localdata.reader import MAX_BYTES
from localdata.schema import TEMPLATES
from localdata.synthetic import to_csv

HISTORY_LENGTH = 100


class LimitedUpload(FileUploadHandler):
    """Keep one uploaded file in memory, and stop reading the request once it passes the limit."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.buffer = io.BytesIO()
        self.request.upload_too_large = False

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > MAX_BYTES:
            self.request.upload_too_large = True
            raise StopUpload(connection_reset=False)  # the rest is read and dropped
        self.buffer.write(raw_data)
        return None

    def file_complete(self, file_size):
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            self.buffer, self.field_name, self.file_name, self.content_type, file_size, self.charset
        )


@never_cache
@analyst_required
def index(request: HttpRequest) -> HttpResponse:
    """Choose a template and a file; download each template with its column guide."""
    return render(
        request,
        "localdata/upload.html",
        {
            "templates": TEMPLATES.values(),
            "max_mb": MAX_BYTES // (1024 * 1024),
            "recent": Upload.objects.all()[:5],
        },
    )


@csrf_exempt
@never_cache
@analyst_required
def upload(request: HttpRequest) -> HttpResponse:
    """POST a file: it is read, validated and previewed; nothing is loaded yet."""
    if request.method != "POST":
        return redirect("localdata:upload-index")
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > MAX_BYTES + 1024 * 1024:
        # Refused on its declared size before the body is parsed at all.
        result = loading.reject_unread("", "(not read)", length, user=request.user)
        return redirect("localdata:upload-preview", result.pk)
    request.upload_handlers = [LimitedUpload(request)]
    return _receive(request)


@csrf_protect
def _receive(request: HttpRequest) -> HttpResponse:
    template = request.POST.get("template", "")
    if template not in TEMPLATES:
        return _form_error(request, "Choose a template (A, B1, B2 or C).")
    if getattr(request, "upload_too_large", False):
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        result = loading.reject_unread(template, "(not read)", length, user=request.user)
        return redirect("localdata:upload-preview", result.pk)
    file = request.FILES.get("file")
    if file is None:
        return _form_error(request, "Choose a CSV or XLSX file to upload.")
    result = loading.preview_file(template, file.read(), file_name=file.name, user=request.user)
    return redirect("localdata:upload-preview", result.pk)


def _form_error(request: HttpRequest, text: str) -> HttpResponse:
    return render(
        request,
        "localdata/upload.html",
        {
            "templates": TEMPLATES.values(),
            "max_mb": MAX_BYTES // (1024 * 1024),
            "error": text,
            "recent": Upload.objects.all()[:5],
        },
        status=400,
    )


@never_cache
@analyst_required
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    """What an upload would do (or did), with every error by row and column."""
    item = get_object_or_404(Upload, pk=pk)
    return render(
        request,
        "localdata/preview.html",
        {
            "upload": item,
            "template": TEMPLATES.get(item.template),
            "more_errors": max(0, item.error_count - len(item.errors)),
            "can_commit": item.status == Upload.Status.PREVIEWED,
        },
    )


@require_POST
@analyst_required
def commit(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Upload, pk=pk)
    try:
        if item.kind == Upload.Kind.RESTORE:
            loading.commit_restore(item)
        else:
            loading.commit(item)
    except loading.CommitRefused as refused:
        messages.error(request, str(refused))
        return redirect("localdata:upload-preview", pk)
    messages.success(request, f"Upload {pk} committed.")
    return redirect("localdata:history")


@never_cache
@analyst_required
def history(request: HttpRequest) -> HttpResponse:
    """Every attempt: who, when, template, file, SHA-256, rows, changes; restore and purge."""
    uploads = Upload.objects.select_related("restores")[:HISTORY_LENGTH]
    return render(
        request,
        "localdata/history.html",
        {
            "uploads": uploads,
            "can_purge": can_purge(request.user),
            "events": UploadEvent.objects.select_related("upload").order_by("-at")[:20],
            "current": {t: loading.latest_committed(t) for t in Template.values},
        },
    )


@require_POST
@analyst_required
def restore(request: HttpRequest, pk: int) -> HttpResponse:
    """Preview a restore of the data to their state right after upload `pk`."""
    target = get_object_or_404(Upload, pk=pk)
    try:
        item = loading.preview_restore(target, user=request.user)
    except loading.CommitRefused as refused:
        messages.error(request, str(refused))
        return redirect("localdata:history")
    return redirect("localdata:upload-preview", item.pk)


@analyst_required
def purge(request: HttpRequest, pk: int) -> HttpResponse:
    """An administrator deletes an upload's original file and free text; the purge is logged."""
    if not can_purge(request.user):
        raise PermissionDenied("Only an administrator may purge an upload.")
    item = get_object_or_404(Upload, pk=pk)
    error = ""
    if request.method == "POST":
        reason = request.POST.get("reason", "").strip()
        if reason:
            loading.purge(item, user=request.user, reason=reason)
            messages.success(request, f"Upload {pk} purged; the purge is logged.")
            return redirect("localdata:history")
        error = "Say why this upload is purged."
    return render(
        request,
        "localdata/purge.html",
        {"upload": item, "error": error},
        status=400 if error else 200,
    )


@never_cache
@analyst_required
def original(request: HttpRequest, pk: int) -> HttpResponse:
    """The original bytes of an accepted file, to analysts only, never cached."""
    item = get_object_or_404(Upload.objects.select_related("original"), pk=pk)
    if not hasattr(item, "original"):
        raise Http404("No original file is kept for this upload (rejected or purged).")
    response = HttpResponse(bytes(item.original.content), content_type="application/octet-stream")
    safe = "".join(c for c in item.file_name if c.isalnum() or c in "._-") or "upload"
    response["Content-Disposition"] = f'attachment; filename="upload-{pk}-{safe}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@analyst_required
def template_csv(request: HttpRequest, code: str) -> HttpResponse:
    """An empty template: the header and the specification's synthetic example rows."""
    template = TEMPLATES.get(code)
    if template is None:
        raise Http404
    body = to_csv(code, []) + "".join(f"{line}\n" for line in template.example).encode()
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="template-{code}.csv"'
    return response
