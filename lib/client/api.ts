// The browser's only way to the BFF: same-origin fetches that turn the error model into ApiError.

export interface ApiErrorBody {
  code: string;
  message: string;
  [key: string]: unknown;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody,
  ) {
    super(body.message);
  }
  get code(): string {
    return this.body.code;
  }
}

export async function readError(res: Response): Promise<ApiError> {
  try {
    const data = (await res.json()) as { error?: ApiErrorBody };
    if (data.error?.code) return new ApiError(res.status, data.error);
  } catch {
    // not our error body
  }
  return new ApiError(res.status, { code: res.status === 401 ? "unauthenticated" : "internal", message: `Request failed (${res.status}).` });
}

export async function getJson<T>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(path, { ...init, headers: { Accept: "application/json", ...init.headers }, credentials: "same-origin" });
  if (!res.ok) throw await readError(res);
  return (await res.json()) as T;
}
