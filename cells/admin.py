from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from cells.models import Organization, OrganizationName, Policy, Term
from cells.policies import RULE_FIELDS, check_values


class OrganizationNameInline(admin.TabularInline):
    model = OrganizationName
    extra = 0


class TermInline(admin.TabularInline):
    """The committee's terms (nhiệm kỳ): its documents are numbered from 01 in each."""

    model = Term
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(TreeAdmin):
    form = movenodeform_factory(Organization)
    list_display = ["name", "code", "kind", "cell_type", "valid_from", "valid_to"]
    list_filter = ["kind", "cell_type"]
    search_fields = ["name", "code"]
    filter_horizontal = ["formed_from"]
    inlines = [OrganizationNameInline, TermInline]


@admin.register(OrganizationName)
class OrganizationNameAdmin(admin.ModelAdmin):
    list_display = ["organization", "name", "parent_name", "valid_from", "valid_to"]
    search_fields = ["name", "organization__code"]
    raw_id_fields = ["organization"]


class PolicyAdminForm(forms.ModelForm):
    """The checks of the policy page: values in range, at least one value (empty values inherit)."""

    class Meta:
        model = Policy
        fields = ["organization", "name", "source", "source_url", "valid_from", "note", *RULE_FIELDS]

    def clean(self):
        data = super().clean()
        values = {name: data.get(name) for name in RULE_FIELDS if name in self.fields}
        if len(values) == len(RULE_FIELDS) and all(value is None for value in values.values()):
            raise forms.ValidationError(_("Quy định phải đặt ít nhất một giá trị."))
        for name, message in check_values(values).items():
            self.add_error(name, message)
        return data


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    """Policies in force or past are history: their date and values are read-only and they cannot be deleted
    (add a new policy from a date instead). The citation may still be corrected."""

    form = PolicyAdminForm
    list_display = ["name", "organization", "valid_from", "source"]
    list_filter = ["valid_from"]
    search_fields = ["name", "source", "organization__name", "organization__code"]
    raw_id_fields = ["organization"]
    date_hierarchy = "valid_from"
    list_select_related = ["organization"]
    fieldsets = [
        (None, {"fields": ["organization", "name", "source", "source_url", "valid_from", "note"]}),
        (_("Quy định (để trống để kế thừa từ cấp trên)"), {"fields": list(RULE_FIELDS)}),
    ]

    @staticmethod
    def _is_history(obj) -> bool:
        return obj is not None and obj.valid_from <= timezone.localdate()

    def get_readonly_fields(self, request, obj=None):
        if self._is_history(obj):
            return ["organization", "valid_from", *RULE_FIELDS]
        return []

    def has_delete_permission(self, request, obj=None) -> bool:
        return not self._is_history(obj) and super().has_delete_permission(request, obj)
