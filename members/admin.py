from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from members.models import AccessGrant, Assignment, CommitteeSeat, Member, Membership, Position, StatusChange


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["organization"]


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    fk_name = "member"
    extra = 0
    raw_id_fields = ["attached_to", "created_by"]


@admin.register(Member)
class MemberAdmin(SimpleHistoryAdmin):
    list_display = ["full_name", "card_number", "admission_date", "official_date", "email"]
    search_fields = ["full_name", "card_number", "email"]
    raw_id_fields = ["user"]
    inlines = [MembershipInline, StatusChangeInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["member", "organization", "kind", "valid_from", "valid_to"]
    list_filter = ["kind"]
    raw_id_fields = ["member", "organization"]


@admin.register(StatusChange)
class StatusChangeAdmin(admin.ModelAdmin):
    list_display = ["member", "status", "effective_from", "until"]
    list_filter = ["status"]
    raw_id_fields = ["member", "attached_to", "created_by"]


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = ["member", "organization", "role", "valid_from", "valid_to"]
    list_filter = ["role"]
    raw_id_fields = ["member", "organization"]


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    raw_id_fields = ["organization"]


@admin.register(CommitteeSeat)
class CommitteeSeatAdmin(admin.ModelAdmin):
    list_display = ["__str__", "organization", "rank", "title", "valid_from", "valid_to"]
    list_filter = ["rank"]
    raw_id_fields = ["member", "organization"]
    inlines = [AssignmentInline]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["seat", "organization", "valid_from", "valid_to"]
    raw_id_fields = ["seat", "organization"]


@admin.register(AccessGrant)
class AccessGrantAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "can_write", "valid_from", "valid_to"]
    list_filter = ["can_write"]
    raw_id_fields = ["user", "organization"]
