"""Unfold admin of video assets: status, progress, rungs and errors; upload; retry; a preview
player (the browser's native HLS: Safari, iOS and some Android browsers play it)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html, format_html_join
from unfold.admin import ModelAdmin, TabularInline

from streamflix_core.errors import DomainError

from .. import services
from ..conf import settings
from ..delivery import grant, signed_url
from ..models import Episode, Subtitle, VideoAsset
from ..storage import hls_base_url
from ..transcoding import TranscodeResult


def _show_rejection(form: forms.BaseForm, error: DomainError) -> None:
    """Put what a service refused on ``form``: each field error of an ``InvalidInput`` on
    its field (when the form has it), anything else as an error of the whole form."""
    fields = getattr(error, "fields", None) or {}
    placed = False
    for name, problems in fields.items():
        if name in form.fields:
            for problem in problems:
                form.add_error(name, problem)
            placed = True
    if not placed:
        raise forms.ValidationError(error.message, code=error.code)


class VideoAssetUploadForm(forms.ModelForm):
    """Upload a source. The form checks only that the fields are there; the admin hands them
    to ``services.asset_create_from_upload``, which validates the source, stores it and
    queues its transcode."""

    source = forms.FileField(help_text="A video file (MP4, MOV, MKV, WebM...).")
    # What the service refused on the first try of this request (see
    # ``VideoAssetAdmin.changeform_view``): shown as the form's error when it is shown again.
    rejection: DomainError | None = None

    class Meta:
        model = VideoAsset
        fields = ("role", "title", "episode")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "episode" in self.fields:
            field: Any = self.fields["episode"]
            field.queryset = Episode.objects.select_related("season__title")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.rejection is not None:
            _show_rejection(self, self.rejection)
        return data

    def _post_clean(self) -> None:
        # The service checks the target (role against title/episode) and creates the asset;
        # model validation of a half-built instance has nothing to add.
        pass


class VideoAssetMarkersForm(forms.ModelForm):
    """The intro and credits markers of an asset. The admin hands them to
    ``services.asset_markers_set``, which checks them against the video (its duration, the
    order of the markers); a refusal comes back as the errors of the fields it names."""

    MARKERS = ("intro_start", "intro_end", "credits_start")
    rejection: DomainError | None = None

    class Meta:
        model = VideoAsset
        fields = ("intro_start", "intro_end", "credits_start")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.rejection is not None:
            _show_rejection(self, self.rejection)
        return data


class _ServiceRejected(Exception):
    """A service refused what the form asked (an upload, markers); raised out of the admin's
    transaction so it rolls back, then the form is shown again with the refusal."""

    def __init__(self, error: DomainError) -> None:
        super().__init__(error.message)
        self.error = error


class SubtitleInline(TabularInline):
    model = Subtitle
    extra = 0
    fields = ("language", "name", "default", "path")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(VideoAsset)
class VideoAssetAdmin(ModelAdmin):
    list_display = (
        "id", "target", "role", "status", "progress_bar", "duration_display", "rungs_display",
        "error_display", "created_at",
    )  # fmt: skip
    list_filter = ("status", "role")
    search_fields = ("original_filename", "title__name", "episode__name", "sha256")
    list_select_related = ("title", "episode__season__title")
    readonly_fields = (
        "role", "title", "episode", "status", "progress_bar", "error_code", "error_message",
        "attempts", "original_filename", "size", "content_type", "sha256", "duration",
        "width", "height", "rungs_display", "audio_tracks_display", "version", "output_prefix",
        "created_at", "started_at", "lease_expires_at", "lost_runs", "ready_at", "player",
        "ladder_pruning_display", "encoders_display",
    )  # fmt: skip
    fieldsets = (
        (None, {"fields": ("role", "title", "episode", "status", "progress_bar", "player")}),
        ("Error", {"fields": ("error_code", "error_message", "attempts", "lost_runs")}),
        ("Source", {"fields": (
            "original_filename", "size", "content_type", "sha256", "duration", "width",
            "height",
        )}),
        ("Markers", {
            "fields": ("intro_start", "intro_end", "credits_start"),
            "description": "Seconds into the video; checked against its duration.",
        }),
        ("Output", {"fields": (
            "rungs_display", "audio_tracks_display", "ladder_pruning_display", "encoders_display",
            "version", "output_prefix",
        )}),
        ("Times", {"fields": ("created_at", "started_at", "lease_expires_at", "ready_at")}),
    )  # fmt: skip
    inlines = (SubtitleInline,)
    actions = ("retry_selected",)
    list_per_page = 50

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):
        form: type[forms.ModelForm] = VideoAssetUploadForm if obj is None else VideoAssetMarkersForm
        rejection = getattr(request, "_streamflix_rejection", None)
        if rejection is not None:
            form = type(f"Rejected{form.__name__}", (form,), {"rejection": rejection})
        kwargs["form"] = form
        return super().get_form(request, obj, change=change, **kwargs)

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except _ServiceRejected as rejected:
            # The transaction of the first try is rolled back (and the service removed what
            # it had stored); show the same form again, now with the service's message.
            request._streamflix_rejection = rejected.error  # type: ignore[attr-defined]
            return super().changeform_view(request, object_id, form_url, extra_context)
        except BaseException:
            # Created, then the admin's transaction failed: the row is gone, so is its source.
            created = getattr(request, "_streamflix_created_asset", None)
            if created is not None:
                services.asset_files_remove(
                    source_path=created.source_path, output_prefix="", asset_id=None
                )
            raise

    def save_form(self, request: HttpRequest, form: Any, change: bool) -> Any:
        if change:
            return self._save_markers(form)
        data = form.cleaned_data
        try:
            asset = services.asset_create_from_upload(
                upload=data["source"],
                role=data.get("role") or "",
                title=data.get("title"),
                episode=data.get("episode"),
                user=request.user,
            )
        except DomainError as exc:
            raise _ServiceRejected(exc) from exc
        request._streamflix_created_asset = asset  # type: ignore[attr-defined]
        return asset

    def _save_markers(self, form: VideoAssetMarkersForm) -> VideoAsset:
        # Unsaved: the form only holds the values (and the admin's save_related needs
        # the form's save_m2m); the service checks and saves them.
        asset = form.save(commit=False)
        if not set(form.changed_data) & set(form.MARKERS):
            return asset
        data = form.cleaned_data
        try:
            return services.asset_markers_set(
                asset=asset,
                intro_start=data.get("intro_start"),
                intro_end=data.get("intro_end"),
                credits_start=data.get("credits_start"),
            )
        except DomainError as exc:
            raise _ServiceRejected(exc) from exc

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ((None, {"fields": ("role", "title", "episode", "source")}),)
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return () if obj is None else self.readonly_fields

    def get_inlines(self, request: HttpRequest, obj: Any) -> Any:
        return () if obj is None else self.inlines

    def save_model(self, request: HttpRequest, obj: VideoAsset, form: Any, change: bool) -> None:
        # The service saved it in ``save_form``: a new asset, or the markers of one.
        pass

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        if change:
            super().save_related(request, form, formsets, change)

    @admin.display(description="For")
    def target(self, obj: VideoAsset) -> str:
        episode = obj.episode
        if episode is not None:
            return f"{episode.season.title} S{episode.season.number}E{episode.number}"
        return str(obj.title)

    @admin.display(description="Progress")
    def progress_bar(self, obj: VideoAsset) -> str:
        percent = max(0.0, min(100.0, obj.progress))
        return format_html(
            '<div title="{}%" style="width:120px;height:8px;border-radius:4px;'
            'background:#e5e7eb;overflow:hidden"><div style="width:{}%;height:8px;'
            'background:{}"></div></div>',
            f"{percent:.0f}",
            f"{percent:.1f}",
            "#dc2626" if obj.status == VideoAsset.Status.FAILED else "#7c3aed",
        )

    @admin.display(description="Duration")
    def duration_display(self, obj: VideoAsset) -> str:
        if not obj.duration:
            return "—"
        minutes, seconds = divmod(round(obj.duration), 60)
        return f"{minutes}:{seconds:02d}"

    @admin.display(description="Rungs")
    def rungs_display(self, obj: VideoAsset) -> str:
        return ", ".join(f"{h}p" for h in obj.rungs) or "—"

    @admin.display(description="Ladder pruning")
    def ladder_pruning_display(self, obj: VideoAsset) -> str:
        report = obj.ladder_pruning or {}
        if not report:
            return "—"
        if not report.get("enabled"):
            return "Off (LADDER_PRUNING)"
        if report.get("error"):
            return format_html("Probe failed, full ladder kept: {}", report["error"])
        if report.get("skipped"):
            return str(report["skipped"])
        estimates = ", ".join(
            f"{name} ~{kbps} kbit/s" for name, kbps in report.get("estimates_kbps", {}).items()
        )
        pruned = report.get("pruned") or []
        if not pruned:
            return format_html("Nothing pruned (estimates: {})", estimates)
        items = format_html_join(
            "", "<li><b>{}</b>: {}</li>", ((p["rung"], p["reason"]) for p in pruned)
        )
        return format_html("<ul>{}</ul><div>Estimates: {}</div>", items, estimates)

    @admin.display(description="Encoders")
    def encoders_display(self, obj: VideoAsset) -> str:
        encoders = (obj.result or {}).get("encoders") or {}
        if not encoders:
            return "—"
        rows = []
        for family, report in encoders.items():
            tried = "; ".join(
                f"{p['encoder']}: {p['detail']}" for p in report.get("hardware_probes", [])
            )
            rows.append((family, report.get("encoder", ""), tried or "no hardware listed"))
        return format_html(
            "<ul>{}</ul>",
            format_html_join("", "<li><b>{}</b>: {} (hardware: {})</li>", rows),
        )

    @admin.display(description="Audio tracks")
    def audio_tracks_display(self, obj: VideoAsset) -> str:
        """``Deutsch (de, 6 ch, default), English (en, 2 ch)``; uploads are added with
        ``POST /api/media/assets/{id}/audio-tracks``."""
        return (
            ", ".join(
                f"{t['name']} ({t['language']}, {t['channels']} ch"
                f"{', default' if t['default'] else ''}"
                f"{', uploaded' if t.get('origin') == 'upload' else ''})"
                for t in obj.audio_tracks
            )
            or "—"
        )

    @admin.display(description="Error")
    def error_display(self, obj: VideoAsset) -> str:
        if not obj.error_code:
            return ""
        return format_html('<span title="{}">{}</span>', obj.error_message, obj.error_code)

    @admin.display(description="Preview")
    def player(self, obj: VideoAsset) -> str:
        if not obj.is_ready or not obj.result or not obj.output_prefix:
            return "—"
        g = grant(obj.output_prefix, ttl=settings().PLAYBACK_URL_TTL_SECONDS)
        master = TranscodeResult.from_dict(obj.result).master
        url = signed_url(hls_base_url(), f"{obj.output_prefix}/{master}", g)
        return format_html(
            '<video controls preload="metadata" src="{}" style="max-width:640px;width:100%;'
            'border-radius:6px;background:#000"></video>'
            '<div style="font-size:12px;opacity:.7">Native HLS; <a href="{}">master playlist</a>'
            "</div>",
            url,
            url,
        )

    @admin.action(description="Retry transcoding of the selected videos")
    def retry_selected(self, request: HttpRequest, queryset: QuerySet[VideoAsset]) -> None:
        queued, skipped = 0, 0
        for asset in queryset:
            try:
                services.asset_retry(asset=asset)
                queued += 1
            except DomainError:
                skipped += 1
        self.message_user(
            request,
            f"Queued {queued} video(s); {skipped} skipped (not failed, or still running under a "
            "live lease).",
            messages.SUCCESS if queued else messages.WARNING,
        )
