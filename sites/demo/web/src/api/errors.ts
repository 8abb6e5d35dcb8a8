/** An API answer that is not a success, with the body's `detail` and `code`. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly body: unknown = null,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

interface ErrorBody {
  detail?: unknown;
  code?: unknown;
  errors?: unknown;
}

function fieldMessage(error: { loc?: unknown[]; msg?: string }): string {
  const field = (error.loc ?? []).slice(-1).join("");
  return [field, error.msg].filter(Boolean).join(": ");
}

function describe(body: ErrorBody | undefined, status: number): string {
  if (body && typeof body.detail === "string") {
    const fields = Array.isArray(body.errors) ? body.errors.map(fieldMessage).filter(Boolean) : [];
    return fields.length ? `${body.detail} (${fields.join("; ")})` : body.detail;
  }
  if (body && Array.isArray(body.detail)) return body.detail.map(fieldMessage).join("; ");
  if (status === 0) return "The server cannot be reached. Check your connection and try again.";
  return `The server answered ${status}.`;
}

/** The data of an openapi-fetch result, or an ApiError built from its error body. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.response.ok && result.error === undefined) return result.data as T;
  const body = (result.error ?? undefined) as ErrorBody | undefined;
  const code = body && typeof body.code === "string" ? body.code : `http_${result.response.status}`;
  throw new ApiError(describe(body, result.response.status), result.response.status, code, body);
}

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof TypeError) return "The server cannot be reached. Check your connection and try again.";
  if (error instanceof Error) return error.message;
  return "Something went wrong.";
}
