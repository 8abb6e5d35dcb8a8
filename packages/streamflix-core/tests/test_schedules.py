from django.core.management import call_command
from django_q.models import Schedule

from .fake_plugins import WIDGETS, use_plugins


def test_sync_is_idempotent_and_updates_changes(db, monkeypatch, settings, capsys):
    settings.STREAMFLIX_PLUGINS = None
    use_plugins(monkeypatch, WIDGETS)
    call_command("streamflix_sync_schedules")
    call_command("streamflix_sync_schedules")
    out = capsys.readouterr().out
    assert "1 created" in out and "1 unchanged" in out
    row = Schedule.objects.get(name="streamflix:widgets.tidy")
    assert (row.func, row.schedule_type, row.minutes) == ("tests.fake_plugins.tidy", "I", 5)

    row.minutes = 60
    row.save()
    call_command("streamflix_sync_schedules")
    assert Schedule.objects.get(name="streamflix:widgets.tidy").minutes == 5
    assert Schedule.objects.count() == 1


def test_prune_removes_schedules_no_plugin_declares(db, monkeypatch, settings, capsys):
    Schedule.objects.create(name="streamflix:gone.job", func="math.floor", schedule_type="D")
    Schedule.objects.create(name="someone-elses", func="math.floor", schedule_type="D")
    call_command("streamflix_sync_schedules")
    assert Schedule.objects.filter(name="streamflix:gone.job").exists()
    call_command("streamflix_sync_schedules", "--prune")
    assert not Schedule.objects.filter(name="streamflix:gone.job").exists()
    assert Schedule.objects.filter(name="someone-elses").exists()
