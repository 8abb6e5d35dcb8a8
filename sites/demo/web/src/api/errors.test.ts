import { describe, expect, it } from "vitest";
import { ApiError, errorMessage, unwrap } from "./errors";

const response = (status: number) => new Response(null, { status });

describe("unwrap", () => {
  it("returns the data of a success", () => {
    expect(unwrap({ data: { ok: 1 }, response: response(200) })).toEqual({ ok: 1 });
  });

  it("throws the API's detail and code", () => {
    const call = () =>
      unwrap({ error: { detail: "Wrong email or password.", code: "invalid_credentials" }, response: response(401) });
    expect(call).toThrow(ApiError);
    try {
      call();
    } catch (error) {
      expect(error).toMatchObject({ status: 401, code: "invalid_credentials", message: "Wrong email or password." });
    }
  });

  it("names the fields of a validation error", () => {
    const error = {
      detail: "Invalid input.",
      code: "validation_error",
      errors: [{ loc: ["body", "payload", "email"], msg: "not an email", type: "value_error" }],
    };
    expect(() => unwrap({ error, response: response(422) })).toThrow("Invalid input. (email: not an email)");
  });

  it("explains an answer without a body", () => {
    expect(() => unwrap({ error: "", response: response(502) })).toThrow("The server answered 502.");
  });
});

describe("errorMessage", () => {
  it("says the server cannot be reached for a network failure", () => {
    expect(errorMessage(new TypeError("Failed to fetch"))).toMatch(/cannot be reached/);
  });
});
