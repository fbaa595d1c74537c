# The refresh requests moved to cells.PendingRefresh (meetings write them too, and sit below reports): the requests
# not yet done are carried over as policy requests, then the old table goes.

from django.db import migrations


def carry_over(apps, schema_editor):
    Old = apps.get_model("reports", "PendingRefresh")
    New = apps.get_model("cells", "PendingRefresh")
    New.objects.bulk_create(
        New(organization_id=row.organization_id, cause="policy", first_month=row.first_month)
        for row in Old.objects.all()
    )


def carry_back(apps, schema_editor):
    # The old table knew only policy requests; meeting requests stay where the old code never looked.
    Old = apps.get_model("reports", "PendingRefresh")
    New = apps.get_model("cells", "PendingRefresh")
    moved = New.objects.filter(cause="policy")
    Old.objects.bulk_create(Old(organization_id=row.organization_id, first_month=row.first_month) for row in moved)
    moved.delete()


class Migration(migrations.Migration):

    dependencies = [
        ("cells", "0005_pending_refresh"),
        ("reports", "0006_pending_refresh"),
    ]

    operations = [
        migrations.RunPython(carry_over, carry_back),
        migrations.DeleteModel(
            name="PendingRefresh",
        ),
    ]
