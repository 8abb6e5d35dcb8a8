import { api } from "../api/client";
import { ApiError, unwrap } from "../api/errors";
import type { Credit, Season, Title } from "../api/types";
import { h, render } from "../dom";
import type { RouteContext } from "../router";
import { currentProfile } from "../session";
import { poster } from "../ui/poster";
import { empty, failure, loading } from "../ui/states";
import { kindLabel } from "../ui/titleCard";
import { commentsSection } from "./comments";
import { moreLikeThis } from "./moreLikeThis";
import { reviewsSection } from "./reviews";
import { titleActions } from "./titleActions";

function seasonsSection(title: Title): HTMLElement | null {
  const seasons: Season[] = title.seasons;
  if (title.kind !== "series") return null;
  if (!seasons.length) return h("section", {}, h("h2", {}, "Episodes"), empty("No episodes yet."));
  const list = h("div", {});
  const show = (season: Season) =>
    render(
      list,
      season.episodes.length
        ? h(
            "ol",
            { class: "episodes" },
            season.episodes.map((episode) =>
              h(
                "li",
                { class: "episode" },
                h(
                  "div",
                  {},
                  h("strong", {}, `${episode.number}. ${episode.name}`),
                  episode.runtime_minutes ? h("small", { class: "muted" }, ` ${episode.runtime_minutes} min`) : null,
                  h("p", { class: "muted" }, episode.synopsis),
                ),
                episode.playable
                  ? h(
                      "a",
                      {
                        class: "button",
                        href: `/watch/${encodeURIComponent(title.slug)}/episodes/${episode.id}`,
                        "aria-label": `Play episode ${episode.number}: ${episode.name}`,
                      },
                      "▶ Play",
                    )
                  : h("small", { class: "muted" }, "Coming soon"),
              ),
            ),
          )
        : empty("No episodes in this season yet."),
    );
  const select = h(
    "select",
    { id: "season-select", "aria-label": "Season" },
    seasons.map((s, i) => h("option", { value: i }, s.name || `Season ${s.number}`)),
  );
  select.addEventListener("change", () => {
    const season = seasons[Number(select.value)];
    if (season) show(season);
  });
  if (seasons[0]) show(seasons[0]);
  return h("section", { class: "seasons" }, h("div", { class: "inline" }, h("h2", {}, "Episodes"), select), list);
}

function creditsSection(credits: Record<string, Credit[]>): HTMLElement | null {
  const groups = Object.entries(credits).filter(([, people]) => people.length);
  if (!groups.length) return null;
  return h(
    "section",
    { class: "credits" },
    h("h2", {}, "Cast & crew"),
    h(
      "dl",
      {},
      groups.flatMap(([role, people]) => [
        h("dt", {}, role.charAt(0).toUpperCase() + role.slice(1)),
        h(
          "dd",
          {},
          people.map((c) => (c.character_name ? `${c.person.name} (${c.character_name})` : c.person.name)).join(", "),
        ),
      ]),
    ),
  );
}

function playHref(title: Title): string | null {
  if (!title.playable) return null;
  const slug = encodeURIComponent(title.slug);
  if (title.kind === "series") {
    const episodeId =
      title.progress?.episode_id ?? title.seasons.flatMap((s) => s.episodes).find((e) => e.playable)?.id;
    return episodeId ? `/watch/${slug}/episodes/${episodeId}` : null;
  }
  return `/watch/${slug}`;
}

/** A title: details, play/resume, like / My List / rating, seasons, credits, reviews, live comments. */
export async function titlePage(context: RouteContext): Promise<(() => void) | void> {
  const { main, params } = context;
  const slug = params.slug ?? "";
  render(main, loading());
  let title: Title;
  try {
    title = unwrap(await api.GET("/api/media/titles/{slug}", { params: { path: { slug } } }));
  } catch (error) {
    render(
      main,
      error instanceof ApiError && error.status === 404
        ? empty("This title does not exist or is not available.", h("a", { href: "/", class: "button" }, "Home"))
        : failure(error, () => void titlePage(context)),
    );
    return;
  }
  document.title = `${title.name} · Streamflix`;
  const signedIn = currentProfile() !== null;
  const href = playHref(title);
  const resumed = title.progress && title.progress.resume_position > 0;
  const actions = signedIn
    ? titleActions(title)
    : h(
        "p",
        { class: "muted" },
        h("a", { href: `/signin?next=/title/${encodeURIComponent(slug)}` }, "Sign in"),
        " to like, rate and comment.",
      );
  const comments = signedIn ? commentsSection(slug, actions) : null;
  render(
    main,
    h(
      "article",
      { class: "title-page" },
      h("div", { class: "title-hero" }, poster(title, "backdrop")),
      h(
        "div",
        { class: "title-body" },
        h("div", { class: "title-poster" }, poster(title)),
        h(
          "div",
          { class: "title-info" },
          h("h1", {}, title.name),
          h(
            "p",
            { class: "muted" },
            [
              title.year,
              kindLabel(title.kind),
              title.runtime_minutes ? `${title.runtime_minutes} min` : null,
              `${title.maturity_rating}+`,
              title.genres.map((g) => g.name).join(", "),
            ]
              .filter(Boolean)
              .join(" · "),
          ),
          h(
            "div",
            { class: "actions" },
            href
              ? h("a", { class: "button primary", href, id: "play-button" }, resumed ? "▶ Resume" : "▶ Play")
              : h("span", { class: "muted" }, "Not playable yet"),
          ),
          h("p", { class: "synopsis" }, title.synopsis),
          actions,
        ),
      ),
      seasonsSection(title),
      creditsSection(title.credits),
      moreLikeThis(slug),
      reviewsSection(slug),
      comments?.element ?? null,
    ),
  );
  return () => {
    comments?.close();
    document.title = "Streamflix";
  };
}
