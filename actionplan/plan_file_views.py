"""The plan spreadsheet page: whole-plan stewards download the plan and upload one.

An upload is previewed (what it would add and change), then committed on a second click, all or
nothing (`actionplan.plan_files`, the same import as `manage.py import_plan`). Files are refused
on every page but the few that set their own handler (`imr_dashboard.upload_handlers`): this
upload sets a size-limited, in-memory one, and checks the CSRF token once it has.
"""

from __future__ import annotations

import base64
import binascii
import io

from django.contrib import messages
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from actionplan import plan_files, presenters, stewardship
from actionplan.models import Plan
from actionplan.plan_import import PlanFileError
from actionplan.plan_sheets import export_plan
from actionplan.roles import ADMINISTRATOR, PLAN_STEWARD, role_names
from actionplan.views.access import plan_role_required

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def can_import(user: AbstractBaseUser | AnonymousUser, plan: Plan | None) -> bool:
    """A whole-plan steward; with no plan yet, any plan steward or administrator (who then
    stewards the plan they import)."""
    if plan is not None:
        return stewardship.scope(user, plan).whole_plan
    return user.is_superuser or not role_names(user).isdisjoint({PLAN_STEWARD, ADMINISTRATOR})


def _refuse_unless_allowed(request: HttpRequest, plan: Plan | None) -> None:
    if not can_import(request.user, plan):
        raise PermissionDenied("Only a steward of the whole plan may import or export it.")


class PlanFileUpload(FileUploadHandler):
    """Keep the one uploaded workbook in memory; stop reading past `plan_files.MAX_BYTES`."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.buffer = io.BytesIO()
        self.request.plan_file_too_large = False

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > plan_files.MAX_BYTES:
            self.request.plan_file_too_large = True
            raise StopUpload(connection_reset=False)
        self.buffer.write(raw_data)
        return None

    def file_complete(self, file_size):
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            self.buffer, self.field_name, self.file_name, self.content_type, file_size, self.charset
        )


def _page(request, plan, *, status=200, **extra) -> HttpResponse:
    context = {
        "plan": plan,
        "can_start_successor": plan is None or plan.has_ended,
        "max_kb": plan_files.MAX_BYTES // 1024,
        **extra,
    }
    return render(request, "actionplan/plan_spreadsheet.html", context, status=status)


@never_cache
@plan_role_required
def download(request: HttpRequest) -> HttpResponse:
    """The current plan as the XLSX workbook `manage.py export_plan` writes."""
    plan = presenters.current_plan()
    if plan is None:
        raise PermissionDenied("No plan has been loaded: there is nothing to export.")
    _refuse_unless_allowed(request, plan)
    response = HttpResponse(export_plan(plan), content_type=XLSX)
    name = f"{slugify(plan.title) or 'plan'}-{timezone.localdate():%Y-%m-%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@csrf_exempt  # checked by `_receive`, once the file has been read by our own handler
@never_cache
@plan_role_required
def spreadsheet(request: HttpRequest) -> HttpResponse:
    """GET: download and upload; POST a workbook: the preview of what it would change."""
    plan = presenters.current_plan()
    _refuse_unless_allowed(request, plan)
    if request.method != "POST":
        return _page(request, plan)
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > plan_files.MAX_BYTES + 64 * 1024:
        # Refused on its declared size, before the body is read.
        return _page(request, plan, status=413, problems=[_too_large()])
    request.upload_handlers = [PlanFileUpload(request)]
    return _receive(request, plan)


def _too_large() -> str:
    limit = plan_files.MAX_BYTES // 1024
    return f"The file is too large: a plan's workbook must be at most {limit} KB"


@csrf_protect
def _receive(request: HttpRequest, plan: Plan | None) -> HttpResponse:
    if getattr(request, "plan_file_too_large", False):
        return _page(request, plan, status=413, problems=[_too_large()])
    upload = request.FILES.get("file")
    if upload is None:
        return _page(request, plan, status=400, problems=["Choose an XLSX file to upload"])
    new_plan = request.POST.get("into") == "new"
    if new_plan and not (plan is None or plan.has_ended):
        return _page(
            request, plan, status=400, problems=["A successor plan starts after this one ends"]
        )
    data = upload.read()
    try:
        result = plan_files.preview(data, plan=plan, new_plan=new_plan)
    except PlanFileError as exc:
        return _page(request, plan, status=400, problems=exc.problems, file_name=upload.name)
    return _page(
        request,
        plan,
        preview=result,
        file_name=upload.name,
        data=base64.b64encode(data).decode(),
        into="new" if result.new_plan else "current",
    )


@require_POST
@never_cache
@plan_role_required
def commit(request: HttpRequest) -> HttpResponse:
    """Import the previewed workbook, all or nothing, and log it."""
    plan = presenters.current_plan()
    _refuse_unless_allowed(request, plan)
    new_plan = request.POST.get("into") == "new"
    if new_plan and not (plan is None or plan.has_ended):
        raise PermissionDenied("A successor plan starts after this one ends.")
    file_name = request.POST.get("file_name", "")[:200] or "plan.xlsx"
    try:
        data = base64.b64decode(request.POST.get("data", ""), validate=True)
    except (binascii.Error, ValueError):
        return _page(
            request, plan, status=400, problems=["The file was not received: upload it again"]
        )
    try:
        loaded, result = plan_files.commit(
            data,
            plan=plan,
            new_plan=new_plan,
            digest=request.POST.get("digest", ""),
            by=request.user,
            file_name=file_name,
        )
    except PlanFileError as exc:
        return _page(request, plan, status=400, problems=exc.problems, file_name=file_name)
    except plan_files.PlanChangedMeanwhile as exc:
        return _page(
            request,
            plan,
            status=409,
            problems=[str(exc)],
            preview=exc.preview,
            file_name=file_name,
            data=request.POST.get("data", ""),
            into="new" if new_plan else "current",
        )
    what = "started as a new plan" if result.new_plan else "updated"
    messages.success(request, f"{loaded} {what} from {file_name}: {result.summary()}")
    return redirect(reverse("actionplan:changes_log"))
