from django.db import migrations, models


class Migration(migrations.Migration):
    # Apart from 0004: PostgreSQL refuses to alter a table with the row updates of the same
    # transaction still pending their foreign-key checks.
    dependencies = [
        ("streamflix_billing", "0004_event_plan_gift_refunded"),
    ]

    operations = [
        migrations.AlterField(
            model_name="subscriptionevent",
            name="plan",
            field=models.ForeignKey(
                on_delete=models.deletion.PROTECT,
                related_name="subscription_events",
                to="streamflix_billing.plan",
            ),
        ),
    ]
