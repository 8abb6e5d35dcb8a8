import type { components } from "./schema";

type Schemas = components["schemas"];

export type TitleCard = Schemas["TitleCardOut"];
export type Title = Schemas["TitleOut"];
export type HomeRow = Schemas["HomeRowOut"];
export type WatchItem = Schemas["WatchItemOut"];
export type Profile = Schemas["ProfileOut"];
export type Me = Schemas["MeOut"];
export type Playback = Schemas["PlaybackOut"];
export type Comment = Schemas["CommentOut"];
export type Review = Schemas["ReviewOut"];
export type Plan = Schemas["PlanOut"];
export type Subscription = Schemas["SubscriptionOut"];
export type Payment = Schemas["PaymentOut"];
export type ActiveSession = Schemas["ActiveSessionOut"];
export type SearchResult = Schemas["SearchResultOut"];
export type Episode = Schemas["EpisodeOut"];
export type Season = Schemas["SeasonOut"];
export type Credit = Schemas["CreditOut"];
