import Hls from "hls.js";
import { api } from "../api/client";
import { ApiError, unwrap } from "../api/errors";
import type { ActiveSession, Playback } from "../api/types";
import { formatDuration, h, render } from "../dom";
import { navigate, type RouteContext } from "../router";
import { startHeartbeats } from "../player/heartbeats";
import { icon, setIcon } from "../player/icons";
import { menu } from "../player/menu";
import { loadThumbnails, thumbnailAt } from "../player/trickplay";
import { empty, failure, loading } from "../ui/states";

const DEVICE = `Web browser (${navigator.platform || "unknown"})`;

async function startPlayback(slug: string, episodeId: number | null): Promise<Playback> {
  const body = { device: DEVICE };
  return unwrap(
    episodeId === null
      ? await api.POST("/api/media/titles/{slug}/playback", {
          params: { path: { slug } },
          body: { ...body, video: "feature" },
        })
      : await api.POST("/api/media/episodes/{episode_id}/playback", {
          params: { path: { episode_id: episodeId } },
          body,
        }),
  );
}

/** The stream limit: the sessions holding the account's slots, each with a Stop button. */
function streamLimit(error: ApiError, retry: () => void): HTMLElement {
  const sessions = (error.body as { sessions?: ActiveSession[] } | null)?.sessions ?? [];
  return h(
    "div",
    { class: "state error", role: "alert" },
    h("p", {}, error.message),
    h(
      "ul",
      { class: "sessions" },
      sessions.map((s) =>
        h(
          "li",
          {},
          `${s.profile} watching ${s.title}${s.episode ? ` (${s.episode})` : ""} on ${s.device} `,
          h(
            "button",
            {
              type: "button",
              class: "button",
              onclick: async () => {
                await api.DELETE("/api/media/sessions/{session_id}", { params: { path: { session_id: s.id } } });
                retry();
              },
            },
            "Stop it",
          ),
        ),
      ),
    ),
  );
}

function refused(error: unknown, retry: () => void): HTMLElement {
  if (error instanceof ApiError) {
    if (error.code === "concurrent_stream_limit") return streamLimit(error, retry);
    if (error.status === 403 && error.code !== "kids_profile" && error.code !== "maturity_limit") {
      return empty(error.message, h("a", { href: "/subscribe", class: "button primary" }, "See plans"));
    }
    if (error.status === 404)
      return empty("This title does not exist or is not available.", h("a", { href: "/", class: "button" }, "Home"));
  }
  return failure(error, retry);
}

/** The player: hls.js with quality, subtitles and audio menus, trickplay on the seek bar,
 * resume, skip intro, next episode, heartbeats, and keyboard control. */
export async function watchPage(context: RouteContext): Promise<(() => void) | void> {
  const { main, params } = context;
  const slug = params.slug ?? "";
  const episodeId = params.episode ? Number(params.episode) : null;
  render(main, loading("Starting playback…"));
  let playback: Playback;
  try {
    playback = await startPlayback(slug, episodeId);
  } catch (error) {
    render(
      main,
      h(
        "div",
        { class: "player-refused" },
        refused(error, () => void watchPage(context)),
        h("a", { href: `/title/${encodeURIComponent(slug)}` }, "← Back to the title"),
      ),
    );
    return;
  }

  const video = h("video", {
    class: "video",
    playsinline: true,
    preload: "auto",
    poster: playback.poster_url ?? null,
    "aria-label": "Video",
  });
  for (const track of playback.subtitles) {
    video.append(
      h("track", {
        kind: "subtitles",
        src: track.url,
        srclang: track.language,
        label: track.name,
        default: track.default,
      }),
    );
  }
  const message = h("div", { class: "player-message", role: "status", "aria-live": "polite" });
  const playButton = h(
    "button",
    { type: "button", class: "control", id: "play-toggle", "aria-label": "Play" },
    icon("play"),
  );
  const back10 = h(
    "button",
    { type: "button", class: "control", "aria-label": "Back 10 seconds", title: "Back 10 s (←: 5 s)" },
    icon("back"),
  );
  const fwd10 = h(
    "button",
    { type: "button", class: "control", "aria-label": "Forward 10 seconds", title: "Forward 10 s (→: 5 s)" },
    icon("forward"),
  );
  const muteButton = h(
    "button",
    { type: "button", class: "control", "aria-label": "Mute", title: "Mute (M)" },
    icon("volume"),
  );
  const fullButton = h(
    "button",
    { type: "button", class: "control", "aria-label": "Full screen", title: "Full screen (F)" },
    icon("fullscreen"),
  );
  const time = h("span", { class: "time", "aria-live": "off" }, "0:00 / 0:00");
  const seek = h("input", {
    type: "range",
    class: "seek",
    min: 0,
    max: playback.duration ?? 0,
    step: "0.1",
    value: 0,
    "aria-label": "Seek",
  });
  const preview = h(
    "div",
    { class: "trickplay", hidden: true, "aria-hidden": "true" },
    h("div", { class: "trickplay-image" }),
    h("span", {}),
  );
  const skipIntro = h(
    "button",
    { type: "button", class: "button overlay-button skip-intro", hidden: true },
    "Skip intro",
  );
  const next = playback.next_episode;
  const nextHref = next?.playable ? `/watch/${encodeURIComponent(slug)}/episodes/${next.id}` : null;
  const nextButton =
    nextHref && next
      ? h(
          "a",
          { class: "button primary overlay-button next-episode", href: nextHref, hidden: true },
          `Next episode: S${next.season}:E${next.number} ${next.name} ▶`,
        )
      : null;

  let hls: Hls | null = null;
  const quality = menu("Quality", "quality", icon("quality"), (value) => {
    if (hls) hls.currentLevel = Number(value);
  });
  const subtitles = menu("Subtitles", "subtitles", icon("subtitles"), (value) => {
    [...video.textTracks].forEach((track, i) => (track.mode = String(i) === value ? "showing" : "disabled"));
  });
  const audio = menu("Audio", "audio", icon("audio"), (value) => {
    if (hls) hls.audioTrack = Number(value);
  });
  subtitles.setOptions(
    [
      { label: "Off", value: "off" },
      ...playback.subtitles.map((s, i) => ({ label: s.name || s.language, value: String(i) })),
    ],
    // a track the title marks as default (e.g. for foreign-language dialogue) starts on
    String(playback.subtitles.findIndex((s) => s.default)).replace("-1", "off"),
  );

  const controls = h(
    "div",
    { class: "controls", role: "group", "aria-label": "Player controls" },
    h("div", { class: "seek-wrap" }, seek, preview),
    h(
      "div",
      { class: "control-row" },
      playButton,
      back10,
      fwd10,
      muteButton,
      time,
      h("span", { class: "spacer" }),
      subtitles.element,
      audio.element,
      quality.element,
      fullButton,
    ),
  );
  const stage = h(
    "div",
    {
      class: "player",
      tabindex: "0",
      "aria-label":
        "Player. Space plays or pauses, arrows seek and change the volume, F full screen, M mute, C subtitles.",
    },
    video,
    message,
    skipIntro,
    nextButton,
    controls,
  );
  render(
    main,
    h(
      "div",
      { class: "watch" },
      h("a", { class: "back-link", href: `/title/${encodeURIComponent(slug)}` }, "← Back"),
      stage,
    ),
  );

  // the stream
  const start = playback.resume_position > 0 ? playback.resume_position : -1;
  if (Hls.isSupported()) {
    // The subtitles are the <track> elements above (signed URLs from the playback answer):
    // hls.js must not add the HLS subtitle renditions as a second set of text tracks.
    hls = new Hls({
      startPosition: start,
      capLevelToPlayerSize: false,
      enableWebVTT: false,
      enableCEA708Captions: false,
    });
    hls.on(Hls.Events.MANIFEST_PARSED, (_event, data) => {
      const levels = data.levels.map((level, i) => ({
        label: level.height ? `${level.height}p` : `${Math.round(level.bitrate / 1000)} kb/s`,
        value: String(i),
      }));
      quality.setOptions([{ label: "Auto", value: "-1" }, ...levels.reverse()], "-1");
    });
    // the level playing, for people and tests to see (the quality menu's "Auto" hides it)
    hls.on(Hls.Events.LEVEL_SWITCHED, (_event, data) => {
      video.dataset.level = String(data.level);
      const height = hls?.levels[data.level]?.height;
      video.dataset.height = height ? String(height) : "";
    });
    hls.on(Hls.Events.AUDIO_TRACKS_UPDATED, (_event, data) => {
      audio.setOptions(
        data.audioTracks.map((t, i) => ({ label: t.name || t.lang || `Track ${i + 1}`, value: String(i) })),
        String(hls?.audioTrack ?? 0),
      );
    });
    hls.on(Hls.Events.ERROR, (_event, data) => {
      if (!data.fatal) return;
      if (data.type === Hls.ErrorTypes.NETWORK_ERROR && data.response?.code === 403) {
        message.textContent = "This playback session has ended. Reload to watch again.";
        hls?.destroy();
      } else if (data.type === Hls.ErrorTypes.MEDIA_ERROR) {
        hls?.recoverMediaError();
      } else {
        message.textContent = "The video cannot be loaded. Check your connection and reload.";
      }
    });
    hls.loadSource(playback.url);
    hls.attachMedia(video);
  } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
    video.src = playback.url;
    if (start > 0) video.addEventListener("loadedmetadata", () => (video.currentTime = start), { once: true });
  } else {
    render(main, failure(new Error("This browser cannot play HLS video.")));
    return;
  }
  video.play().catch(() => {
    message.textContent = "Press play to start.";
  });

  // controls
  const toggle = () => (video.paused ? void video.play() : video.pause());
  const seekBy = (delta: number) => {
    video.currentTime = Math.max(0, Math.min(video.currentTime + delta, video.duration || Infinity));
  };
  playButton.addEventListener("click", toggle);
  video.addEventListener("click", toggle);
  back10.addEventListener("click", () => seekBy(-10));
  fwd10.addEventListener("click", () => seekBy(10));
  muteButton.addEventListener("click", () => (video.muted = !video.muted));
  fullButton.addEventListener("click", () =>
    document.fullscreenElement ? void document.exitFullscreen() : void stage.requestFullscreen().catch(() => undefined),
  );
  seek.addEventListener("input", () => (video.currentTime = Number(seek.value)));
  video.addEventListener("play", () => {
    setIcon(playButton, "pause");
    playButton.setAttribute("aria-label", "Pause");
    message.textContent = "";
    wake();
  });
  video.addEventListener("pause", () => {
    setIcon(playButton, "play");
    playButton.setAttribute("aria-label", "Play");
    wake();
  });
  video.addEventListener("volumechange", () => {
    setIcon(muteButton, video.muted || video.volume === 0 ? "muted" : "volume");
    muteButton.setAttribute("aria-label", video.muted ? "Unmute" : "Mute");
  });
  // the controls fade out while the video plays untouched, so they hide no subtitles
  let idleTimer: number | undefined;
  function wake(): void {
    stage.classList.remove("idle");
    window.clearTimeout(idleTimer);
    idleTimer = window.setTimeout(() => {
      if (!video.paused && !stage.querySelector(".menu-list:not([hidden])")) stage.classList.add("idle");
    }, 3000);
  }
  stage.addEventListener("pointermove", wake);
  stage.addEventListener("focusin", wake);
  stage.addEventListener("keydown", wake);
  const markers = playback.markers;
  video.addEventListener("timeupdate", () => {
    const now = video.currentTime;
    const duration = Number.isFinite(video.duration) ? video.duration : (playback.duration ?? 0);
    seek.max = String(duration);
    seek.value = String(now);
    seek.setAttribute("aria-valuetext", `${formatDuration(now)} of ${formatDuration(duration)}`);
    time.textContent = `${formatDuration(now)} / ${formatDuration(duration)}`;
    skipIntro.hidden = !(
      markers.intro_end !== null &&
      markers.intro_end !== undefined &&
      now >= (markers.intro_start ?? 0) &&
      now < markers.intro_end - 1
    );
    if (nextButton) {
      const creditsAt = markers.credits_start ?? Math.max(0, duration - 10);
      nextButton.hidden = !(duration > 0 && now >= creditsAt);
    }
  });
  skipIntro.addEventListener("click", () => {
    if (markers.intro_end !== null && markers.intro_end !== undefined) video.currentTime = markers.intro_end;
    stage.focus();
  });
  video.addEventListener("ended", () => {
    if (nextHref) navigate(nextHref);
  });

  // trickplay thumbnails over the seek bar
  void loadThumbnails(playback.trickplay_url).then((thumbnails) => {
    if (!thumbnails.length) return;
    const image = preview.firstElementChild as HTMLElement;
    const label = preview.lastElementChild as HTMLElement;
    seek.addEventListener("pointermove", (event) => {
      const box = seek.getBoundingClientRect();
      const fraction = Math.min(1, Math.max(0, (event.clientX - box.left) / box.width));
      const at = fraction * Number(seek.max || 0);
      const tile = thumbnailAt(thumbnails, at);
      if (!tile) return;
      image.style.width = `${tile.width}px`;
      image.style.height = `${tile.height}px`;
      image.style.backgroundImage = `url("${tile.url}")`;
      image.style.backgroundPosition = `-${tile.x}px -${tile.y}px`;
      label.textContent = formatDuration(at);
      preview.style.left = `${Math.min(box.width - tile.width, Math.max(0, fraction * box.width - tile.width / 2))}px`;
      preview.hidden = false;
    });
    seek.addEventListener("pointerleave", () => (preview.hidden = true));
  });

  // keyboard: the player (and its controls) take space, arrows, F, M, C
  stage.addEventListener("keydown", (event) => {
    const target = event.target as HTMLElement;
    if (target.closest(".menu-list")) return;
    const onButton = target.tagName === "BUTTON" || target.tagName === "A";
    switch (event.key) {
      case " ":
      case "k":
        if (onButton && event.key === " ") return;
        event.preventDefault();
        toggle();
        break;
      case "ArrowLeft":
        event.preventDefault();
        seekBy(-5);
        break;
      case "ArrowRight":
        event.preventDefault();
        seekBy(5);
        break;
      case "ArrowUp":
        event.preventDefault();
        video.volume = Math.min(1, video.volume + 0.1);
        break;
      case "ArrowDown":
        event.preventDefault();
        video.volume = Math.max(0, video.volume - 0.1);
        break;
      case "f":
        fullButton.click();
        break;
      case "m":
        muteButton.click();
        break;
      case "c": {
        const showing = [...video.textTracks].findIndex((t) => t.mode === "showing");
        const value = showing >= 0 ? "off" : video.textTracks.length ? "0" : "off";
        [...video.textTracks].forEach((t, i) => (t.mode = String(i) === value ? "showing" : "disabled"));
        subtitles.select(value);
        break;
      }
      default:
        return;
    }
  });
  stage.focus();

  const stopHeartbeats = playback.session_id
    ? startHeartbeats(playback.session_id, video, (reason) => {
        video.pause();
        message.textContent = reason;
      })
    : () => undefined;
  return () => {
    window.clearTimeout(idleTimer);
    stopHeartbeats();
    hls?.destroy();
    video.removeAttribute("src");
    video.load();
  };
}
