from django.contrib import admin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from cells.models import Organization, OrganizationName


class OrganizationNameInline(admin.TabularInline):
    model = OrganizationName
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(TreeAdmin):
    form = movenodeform_factory(Organization)
    list_display = ["name", "code", "kind", "cell_type", "valid_from", "valid_to"]
    list_filter = ["kind", "cell_type"]
    search_fields = ["name", "code"]
    filter_horizontal = ["formed_from"]
    inlines = [OrganizationNameInline]


@admin.register(OrganizationName)
class OrganizationNameAdmin(admin.ModelAdmin):
    list_display = ["organization", "name", "parent_name", "valid_from", "valid_to"]
    search_fields = ["name", "organization__code"]
    raw_id_fields = ["organization"]
