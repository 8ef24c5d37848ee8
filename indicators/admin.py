"""The admin: analysts' own comparator groups (kind "custom"). The CIPFA and NHS England groups
are fetched from the API and replaced by each fetch, so they are not edited here."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from indicators import peer_groups
from indicators.neighbours_models import PeerGroup


class CustomPeerGroupForm(forms.ModelForm):
    members_text = forms.CharField(
        label="Members",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="ONS codes of the member areas, in order, separated by commas",
    )

    class Meta:
        model = PeerGroup
        fields = ["name", "area_code", "purpose"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            codes = self.instance.members.values_list("code", flat=True)
            self.initial["members_text"] = ", ".join(codes)

    def clean(self):
        cleaned = super().clean()
        self.codes = peer_groups.parse_codes(cleaned.get("members_text", ""))
        try:
            peer_groups.check(cleaned.get("area_code", ""), self.codes, cleaned.get("purpose", ""))
        except peer_groups.InvalidGroup as error:
            raise forms.ValidationError(str(error)) from None
        return cleaned


@admin.register(PeerGroup)
class CustomPeerGroupAdmin(admin.ModelAdmin):
    form = CustomPeerGroupForm
    list_display = ["name", "area_code", "purpose", "version"]
    search_fields = ["name", "area_code"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(kind=PeerGroup.Kind.CUSTOM)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = peer_groups.define(
            data["name"],
            data["area_code"],
            form.codes,
            data["purpose"],
            source=f"defined by an analyst (admin, {request.user.get_username()})",
            group=obj if change else None,
        )
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        peer_groups.delete(PeerGroup.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        peer_groups.delete(queryset)

    def save_related(self, request, form, formsets, change):
        pass  # the members are written with the group, in one transaction
