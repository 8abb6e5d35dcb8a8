import uuid

from django.db import migrations, models


def fill_keys(apps, schema_editor):
    # AddField's default is computed once: every existing row needs its own key.
    for name in ("Customer", "Payment"):
        model = apps.get_model("streamflix_billing", name)
        for pk in model.objects.values_list("pk", flat=True).iterator():
            model.objects.filter(pk=pk).update(idempotency_key=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [
        ("streamflix_billing", "0002_account_deletion_keeps_payments"),
    ]

    operations = [
        migrations.AddField(
            model_name="customer",
            name="idempotency_key",
            field=models.UUIDField(null=True, editable=False),
        ),
        migrations.AddField(
            model_name="payment",
            name="idempotency_key",
            field=models.UUIDField(null=True, editable=False),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="customer",
            name="idempotency_key",
            field=models.UUIDField(default=uuid.uuid4, editable=False),
        ),
        migrations.AlterField(
            model_name="payment",
            name="idempotency_key",
            field=models.UUIDField(default=uuid.uuid4, editable=False),
        ),
        migrations.AlterField(
            model_name="customer",
            name="stripe_customer_id",
            field=models.CharField(blank=True, max_length=100, null=True, unique=True),
        ),
    ]
