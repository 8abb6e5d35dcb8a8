"""Video encoder profiles: which ffmpeg encoder makes each rung, with which preset and options,
and the hardware encoders tried before it.

A profile per codec family (``h264``, ``hevc``, ``av1``) names a software encoder, its speed
preset (one for every rung, or one per rung class) and extra per-stream options. Hardware
encoders (NVENC, QSV, VAAPI) are listed by preference; one is used only when a tiny probe
encode through it succeeds on this machine (cached per process), so they are never required:
without the device the software encoder of the same family does the work, and the result
says what was tried.
"""

from __future__ import annotations

import functools
import logging
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .ffmpeg import ffmpeg_capabilities, last_error
from .ladder import Rung

logger = logging.getLogger(__name__)

CODEC_FAMILIES = ("h264", "hevc", "av1")
#: Families that need fragmented MP4 segments (HLS allows only H.264 in MPEG-TS here).
FMP4_ONLY = frozenset({"hevc", "av1"})
PROFILE_KEYS = frozenset(
    {"encoder", "preset", "presets", "options", "bitrate_factor", "capped_vbr"}
)

#: The built-in profiles; ``VIDEO_ENCODERS`` overrides them key by key. An H.264 profile
#: without a preset uses ``X264_PRESET``. ``bitrate_factor`` scales the H.264 bitrate table
#: for the family's rungs (HEVC and AV1 need less for the same picture). ``capped_vbr``
#: passes ``-maxrate``/``-bufsize`` besides the target (SVT-AV1 accepts a max rate only in
#: CRF mode, so its rungs are plain VBR at the target).
DEFAULT_PROFILES: dict[str, dict[str, Any]] = {
    "h264": {"encoder": "libx264", "preset": None, "options": {}, "bitrate_factor": 1.0},
    "hevc": {
        "encoder": "libx265",
        "preset": "fast",
        # hvc1 (parameter sets in the init segment) is the sample entry Apple players need;
        # closed GOPs keep every segment independently decodable.
        "options": {"tag": "hvc1", "x265-params": "log-level=error:open-gop=0"},
        "bitrate_factor": 0.65,
    },
    "av1": {
        "encoder": "libsvtav1",
        "preset": "8",
        "options": {},
        "bitrate_factor": 0.55,
        "capped_vbr": False,
    },
}


@dataclass(frozen=True)
class EncoderProfile:
    """How the rungs of one codec family are encoded in software."""

    codec: str
    encoder: str
    preset: str | None = None
    #: Preset per rung class (short side, e.g. ``{1080: "medium"}``); others use ``preset``.
    presets: Mapping[int, str] = field(default_factory=dict)
    #: Per-stream ffmpeg options without the dash (``{"x265-params": "..."}``).
    options: Mapping[str, str] = field(default_factory=dict)
    bitrate_factor: float = 1.0
    capped_vbr: bool = True

    def preset_for(self, rung: Rung) -> str | None:
        return self.presets.get(rung.short_side, self.preset)


@dataclass(frozen=True)
class HardwareEncoder:
    """A hardware encoder ffmpeg may offer, and what it needs around it."""

    name: str
    codec: str
    preset: str | None = None
    #: Global options opening the device (before the inputs).
    device_args: tuple[str, ...] = ()
    #: Filters appended to each rung's chain (upload to the device's frames).
    upload_filter: str = ""
    options: Mapping[str, str] = field(default_factory=dict)


def _known_hardware(vaapi_device: str) -> dict[str, HardwareEncoder]:
    known: dict[str, HardwareEncoder] = {}
    for codec, prefix in (("h264", "h264"), ("hevc", "hevc"), ("av1", "av1")):
        tag = {"tag": "hvc1"} if codec == "hevc" else {}
        known[f"{prefix}_nvenc"] = HardwareEncoder(
            f"{prefix}_nvenc", codec, preset="p5", options=tag
        )
        known[f"{prefix}_qsv"] = HardwareEncoder(
            f"{prefix}_qsv", codec, preset="medium", options=tag
        )
        known[f"{prefix}_vaapi"] = HardwareEncoder(
            f"{prefix}_vaapi",
            codec,
            device_args=("-vaapi_device", vaapi_device),
            upload_filter="format=nv12,hwupload",
            options=tag,
        )
    return known


KNOWN_HARDWARE_NAMES = frozenset(_known_hardware("").keys())


@dataclass(frozen=True)
class HardwareProbe:
    """The outcome of trying one hardware encoder on this machine."""

    name: str
    usable: bool
    detail: str


def probe_hardware(binary: str, encoder: HardwareEncoder) -> HardwareProbe:
    """Encode a tiny generated clip through ``encoder``; cached per process.

    An encoder missing from the build is not run at all; one that fails (no device, no
    driver, an unsupported size) is reported with ffmpeg's most telling line.
    """
    return _probe_cached(binary, encoder.name, encoder.device_args, encoder.upload_filter)


@functools.lru_cache(maxsize=64)
def _probe_cached(
    binary: str, name: str, device_args: tuple[str, ...], upload_filter: str
) -> HardwareProbe:
    if name not in ffmpeg_capabilities(binary):
        return HardwareProbe(name, False, "not in this ffmpeg build")
    chain = "format=yuv420p" + (f",{upload_filter}" if upload_filter else "")
    argv = [binary, "-hide_banner", "-nostdin", "-loglevel", "error", *device_args]
    argv += ["-f", "lavfi", "-i", "testsrc2=s=256x144:r=25:d=0.2", "-vf", chain]
    argv += ["-frames:v", "3", "-c:v", name, "-f", "null", "-"]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, errors="replace", timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return HardwareProbe(name, False, f"probe failed: {exc}")
    if done.returncode != 0:
        return HardwareProbe(name, False, _probe_reason(done.stderr))
    return HardwareProbe(name, True, "probe encode succeeded")


_REASON_WORDS = ("cannot", "could not", "failed", "no device", "not found", "no such", "error")


def _probe_reason(log: str) -> str:
    """The first line of a failed probe that says why (the last ones only say it stopped)."""
    for line in log.splitlines():
        lowered = line.lower()
        if "terminating thread" in lowered or "conversion failed" in lowered:
            continue
        if any(word in lowered for word in _REASON_WORDS):
            return line.strip()[:300]
    return last_error(log)


@dataclass(frozen=True)
class EncoderChoice:
    """The encoder one codec family's rungs get in a run."""

    codec: str
    encoder: str
    hardware: bool
    profile: EncoderProfile
    device_args: tuple[str, ...] = ()
    upload_filter: str = ""
    hardware_preset: str | None = None
    hardware_options: Mapping[str, str] = field(default_factory=dict)
    probes: tuple[HardwareProbe, ...] = ()
    #: Why the hardware encoder chosen first was dropped during the run (empty: it was not).
    hardware_failed: str = ""

    def preset_for(self, rung: Rung) -> str | None:
        return self.hardware_preset if self.hardware else self.profile.preset_for(rung)

    def software_fallback(self, reason: str) -> EncoderChoice:
        """The profile's software encoder, after this hardware one failed on the real run."""
        return EncoderChoice(
            codec=self.codec,
            encoder=self.profile.encoder,
            hardware=False,
            profile=self.profile,
            probes=self.probes,
            hardware_failed=f"{self.encoder}: {reason}"[:300],
        )

    def stream_args(self, index: int, rung: Rung) -> list[str]:
        """The per-stream arguments of output video stream ``index``: encoder, preset, rates
        and options (``-c:v:i``, ``-preset:v:i``, ``-b:v:i`` ...)."""
        args = [f"-c:v:{index}", self.encoder, f"-b:v:{index}", f"{rung.video_kbps}k"]
        if self.hardware or self.profile.capped_vbr:
            args += [f"-maxrate:v:{index}", f"{rung.maxrate_kbps}k"]
            args += [f"-bufsize:v:{index}", f"{rung.bufsize_kbps}k"]
        preset = self.preset_for(rung)
        if preset:
            args += [f"-preset:v:{index}", preset]
        options = self.hardware_options if self.hardware else self.profile.options
        for key, value in options.items():
            args += [f"-{key}:v:{index}", str(value)]
        return args

    def report(self) -> dict[str, Any]:
        """What was chosen and why, for the transcode result (JSON)."""
        report: dict[str, Any] = {
            "encoder": self.encoder,
            "hardware": self.hardware,
            "hardware_probes": [
                {"encoder": p.name, "usable": p.usable, "detail": p.detail} for p in self.probes
            ],
        }
        if self.hardware_failed:
            report["hardware_failed"] = self.hardware_failed
        return report


def software_choice(profile: EncoderProfile, probes: Sequence[HardwareProbe] = ()) -> EncoderChoice:
    return EncoderChoice(
        codec=profile.codec,
        encoder=profile.encoder,
        hardware=False,
        profile=profile,
        probes=tuple(probes),
    )


def choose_encoder(
    profile: EncoderProfile,
    *,
    hardware: Sequence[str],
    binary: str,
    vaapi_device: str = "/dev/dri/renderD128",
) -> EncoderChoice:
    """The first hardware encoder of ``profile``'s family (in ``hardware`` order) whose probe
    encode succeeds, else the profile's software encoder. Never raises for hardware."""
    known = _known_hardware(vaapi_device)
    probes: list[HardwareProbe] = []
    for name in hardware:
        candidate = known.get(name)
        if candidate is None or candidate.codec != profile.codec:
            continue
        result = probe_hardware(binary, candidate)
        probes.append(result)
        if result.usable:
            logger.info("Using hardware encoder %s for %s rungs", name, profile.codec)
            return EncoderChoice(
                codec=profile.codec,
                encoder=candidate.name,
                hardware=True,
                profile=profile,
                device_args=candidate.device_args,
                upload_filter=candidate.upload_filter,
                hardware_preset=candidate.preset,
                hardware_options=candidate.options,
                probes=tuple(probes),
            )
    if probes and profile.codec not in _FALLBACK_LOGGED:
        # Once per process and codec: the probes' answers are remembered, so every later
        # transcode would only repeat it.
        _FALLBACK_LOGGED.add(profile.codec)
        logger.info(
            "No hardware %s encoder usable (%s); using %s",
            profile.codec,
            "; ".join(f"{p.name}: {p.detail}" for p in probes),
            profile.encoder,
        )
    return software_choice(profile, probes)


_FALLBACK_LOGGED: set[str] = set()


def resolve_profiles(
    overrides: Mapping[str, Mapping[str, Any]] | None, *, x264_preset: str
) -> dict[str, EncoderProfile]:
    """Every family's profile: ``overrides`` (``VIDEO_ENCODERS``) merged over the defaults.

    Raises ``ValueError`` naming an unknown family or key.
    """
    problems = profile_problems(overrides)
    if problems:
        raise ValueError(" ".join(problems))
    profiles = {}
    for codec, defaults in DEFAULT_PROFILES.items():
        merged = {**defaults, **dict((overrides or {}).get(codec, {}))}
        preset = merged.get("preset") or (x264_preset if codec == "h264" else None)
        profiles[codec] = EncoderProfile(
            codec=codec,
            encoder=str(merged["encoder"]),
            preset=str(preset) if preset is not None else None,
            presets={int(k): str(v) for k, v in dict(merged.get("presets") or {}).items()},
            options={str(k): str(v) for k, v in dict(merged.get("options") or {}).items()},
            bitrate_factor=float(merged.get("bitrate_factor", 1.0)),
            capped_vbr=bool(merged.get("capped_vbr", True)),
        )
    return profiles


def profile_problems(overrides: Mapping[str, Mapping[str, Any]] | None) -> list[str]:
    """What is wrong with a ``VIDEO_ENCODERS`` value (empty when it is usable)."""
    problems = []
    for codec, profile in (overrides or {}).items():
        if codec not in CODEC_FAMILIES:
            problems.append(
                f"VIDEO_ENCODERS has an unknown codec family {codec!r} "
                f"(known: {', '.join(CODEC_FAMILIES)})."
            )
            continue
        if not isinstance(profile, Mapping):
            problems.append(f"VIDEO_ENCODERS[{codec!r}] must be a dict.")
            continue
        unknown = sorted(set(profile) - PROFILE_KEYS)
        if unknown:
            problems.append(
                f"VIDEO_ENCODERS[{codec!r}] has unknown keys {unknown} "
                f"(known: {', '.join(sorted(PROFILE_KEYS))})."
            )
        factor = profile.get("bitrate_factor", 1.0)
        if not isinstance(factor, int | float) or not 0 < factor <= 2:
            problems.append(f"VIDEO_ENCODERS[{codec!r}]['bitrate_factor'] must be within (0, 2].")
    return problems
