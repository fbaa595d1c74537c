"""What the API says of each resource. Field names are English, values as stored; names are the organizations'."""

from rest_framework import serializers

from cells.models import Organization


class OrganizationSerializer(serializers.ModelSerializer):
    parent = serializers.IntegerField(
        source="parent_id", read_only=True, allow_null=True, help_text="The organization directly above; null: a root."
    )
    is_cell = serializers.BooleanField(read_only=True)

    class Meta:
        model = Organization
        fields = ["id", "code", "name", "kind", "cell_type", "place_name", "parent", "is_cell", "depth"]
        read_only_fields = fields
