import { api, csrfToken } from "../api/client";

const EVERY_MS = 10_000;

/** Report the position of a playback session about every 10 s while it plays, and at each
 * pause, seek and end, with an increasing sequence; stop the session when the viewer leaves. */
export function startHeartbeats(
  sessionId: string,
  video: HTMLVideoElement,
  onEnded: (reason: string) => void,
): () => void {
  let sequence = 0;
  let stopped = false;
  let timer: number | undefined;

  const beat = async (state: "playing" | "paused" | "ended") => {
    if (stopped || !Number.isFinite(video.currentTime)) return;
    const duration = Number.isFinite(video.duration) ? video.duration : Infinity;
    const position = Math.max(0, Math.min(video.currentTime, duration));
    const result = await api
      .PUT("/api/media/sessions/{session_id}/progress", {
        params: { path: { session_id: sessionId } },
        body: { position, state, sequence: ++sequence },
      })
      .catch(() => null);
    if (result && result.response.status === 410) {
      stopped = true;
      window.clearInterval(timer);
      onEnded("This playback session has ended (stopped from another device, or idle too long).");
    }
  };
  const onPlay = () => void beat("playing");
  const onPause = () => void beat(video.ended ? "ended" : "paused");
  const onSeeked = () => void beat(video.paused ? "paused" : "playing");
  video.addEventListener("play", onPlay);
  video.addEventListener("pause", onPause);
  video.addEventListener("seeked", onSeeked);
  timer = window.setInterval(() => {
    if (!video.paused) void beat("playing");
  }, EVERY_MS);

  const end = () => {
    // keepalive: the request outlives a closing tab
    void fetch(`/api/media/sessions/${encodeURIComponent(sessionId)}`, {
      method: "DELETE",
      credentials: "same-origin",
      keepalive: true,
      headers: { "X-CSRFToken": csrfToken() },
    }).catch(() => undefined);
  };
  const detach = () => {
    window.clearInterval(timer);
    video.removeEventListener("play", onPlay);
    video.removeEventListener("pause", onPause);
    video.removeEventListener("seeked", onSeeked);
  };
  // A closing tab has time for one request: free the stream slot (the position is at most
  // one heartbeat old).
  const onPageHide = () => {
    if (stopped) return;
    stopped = true;
    detach();
    end();
  };
  window.addEventListener("pagehide", onPageHide, { once: true });
  // Leaving the player inside the app: the last position first, then the stop (a heartbeat
  // arriving after the stop would only be refused).
  return () => {
    window.removeEventListener("pagehide", onPageHide);
    if (stopped) return;
    detach();
    const last = beat(video.ended ? "ended" : "paused");
    stopped = true;
    void last.finally(end);
  };
}
