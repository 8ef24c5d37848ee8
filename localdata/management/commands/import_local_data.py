"""`manage.py import_local_data <A|B1|B2|C> <file> --user <name> [--dry-run]` or `--revert <id>`."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from localdata import loading
from localdata.models import Upload
from localdata.reader import MAX_BYTES
from localdata.schema import TEMPLATES


class Command(BaseCommand):
    help = "Load a local data file (templates A, B1, B2, C) or restore an earlier upload."

    def add_arguments(self, parser):
        parser.add_argument("template", nargs="?", choices=sorted(TEMPLATES))
        parser.add_argument("file", nargs="?")
        parser.add_argument("--user", required=True, help="who is loading (a username)")
        parser.add_argument("--dry-run", action="store_true", help="preview only")
        parser.add_argument("--revert", type=int, metavar="ID", help="restore after upload ID")

    def handle(self, *args, template, file, user, dry_run, revert, **options):
        person = get_user_model().objects.filter(username=user).first()
        if person is None:
            raise CommandError(f"No user named {user!r}.")
        if revert is not None:
            return self._revert(revert, person, dry_run)
        if not template or not file:
            raise CommandError("Give a template (A, B1, B2 or C) and a file, or --revert ID.")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"File: {file} not found.")
        if path.stat().st_size > MAX_BYTES:
            # Size-limited before reading: the file is never opened.
            upload = loading.reject_unread(template, path.name, path.stat().st_size, user=person)
            self._fail(upload)
        upload = loading.preview_file(template, path.read_bytes(), file_name=path.name, user=person)
        if upload.status == Upload.Status.REJECTED:
            self._fail(upload)
        self._report(upload, "Would load" if dry_run else "Loading")
        if dry_run:
            return
        try:
            loading.commit(upload)
        except loading.CommitRefused as refused:
            raise CommandError(str(refused)) from None
        self.stdout.write(f"Upload {upload.pk} committed.")

    def _revert(self, target_id: int, person, dry_run: bool) -> None:
        target = Upload.objects.filter(pk=target_id).first()
        if target is None:
            raise CommandError(f"No upload {target_id}.")
        try:
            upload = loading.preview_restore(target, user=person)
            self._report(upload, "Would restore" if dry_run else "Restoring")
            if not dry_run:
                loading.commit_restore(upload)
                self.stdout.write(f"Upload {upload.pk} committed (restore of {target_id}).")
        except loading.CommitRefused as refused:
            raise CommandError(str(refused)) from None

    def _report(self, upload: Upload, verb: str) -> None:
        self.stdout.write(
            f"{verb} template {upload.template}: {upload.rows_read} rows read; "
            f"{upload.added} added, {upload.changed} changed, {upload.removed} removed, "
            f"{upload.unchanged} unchanged."
        )
        for warning in upload.warnings:
            self.stdout.write(f"Warning: {warning}")

    def _fail(self, upload: Upload) -> None:
        text = "\n".join(upload.errors)
        more = upload.error_count - len(upload.errors)
        if more > 0:
            text += f"\n… and {more} more errors."
        raise CommandError(f"Rejected (upload {upload.pk}, nothing written):\n{text}")
