import { describe, expect, it } from "vitest";
import { formatDuration } from "./dom";

describe("formatDuration", () => {
  it.each([
    [0, "0:00"],
    [9.7, "0:09"],
    [75, "1:15"],
    [3725, "1:02:05"],
    [-3, "0:00"],
  ])("%s s reads %s", (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});
