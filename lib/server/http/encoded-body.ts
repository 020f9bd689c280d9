import "server-only";

import { createHash, createHmac } from "node:crypto";
import { promisify } from "node:util";
import zlib from "node:zlib";

import { getAuthEnv } from "@/lib/server/platform";

import { PRIVATE_NO_STORE } from "./responses";

// Large bodies that stay the same for many requests (a cached division for one role) are serialised and
// compressed once, then each request only picks the form its browser accepts. Profiling the warm users route
// showed JSON.stringify and gzip of 4 MB per request as its largest costs; here a warm request copies bytes.

const gzip = promisify(zlib.gzip);
const brotli = promisify(zlib.brotliCompress);

/** Brotli quality 5: within 3 % of quality 11's size on a 12,000-user division, in 80 ms rather than 4 s. */
const BROTLI_OPTIONS = { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5, [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT } };

/** Set by server/index.mjs on each request, and read back by it on the response as Content-Encoding. */
const PRECOMPRESSED = "x-tenantscope-precompressed";

/** Below this, compressing costs more than it saves. */
const COMPRESS_FROM_BYTES = 1024;

export interface EncodedBody {
  readonly contentType: string;
  readonly identity: Buffer;
  /** The body's own digest; the ETag adds who it is for. */
  readonly digest: string;
  readonly gzip: Promise<Buffer> | null;
  readonly br: Promise<Buffer> | null;
}

export function encodeBody(text: string, contentType = "application/json"): EncodedBody {
  const identity = Buffer.from(text, "utf8");
  const large = identity.length >= COMPRESS_FROM_BYTES;
  // Compression runs on libuv's thread pool, off the request thread; a failure falls back to identity.
  const settle = (p: Promise<Buffer>) => p.catch(() => identity);
  return {
    contentType,
    identity,
    digest: createHash("sha256").update(identity).digest("base64url").slice(0, 22),
    gzip: large ? settle(gzip(identity)) : null,
    br: large ? settle(brotli(identity, BROTLI_OPTIONS)) : null,
  };
}

/**
 * Memoises encoded bodies per object (a cached result, held weakly: the body goes when the entry does) and
 * per variant (e.g. the caller's role), so that each is serialised and compressed once.
 */
export class EncodedBodies<K extends object> {
  private readonly byKey = new WeakMap<K, Map<string, EncodedBody>>();

  get(key: K, variant: string, make: () => string): EncodedBody {
    let variants = this.byKey.get(key);
    if (!variants) this.byKey.set(key, (variants = new Map()));
    let body = variants.get(variant);
    if (!body) variants.set(variant, (body = encodeBody(make())));
    return body;
  }
}

/**
 * The part of a strong validator that names `body` as served to `viewerId`; the ETag adds the content coding
 * (a gzip and a brotli response are different representations). It names the person, so that a validator
 * from one person's session never revalidates a response for someone else (an HMAC: the id is not exposed).
 */
function validatorOf(body: EncodedBody, viewerId: string): string {
  const viewer = createHmac("sha256", getAuthEnv().nextAuthSecret).update(viewerId).digest("base64url").slice(0, 12);
  return `${body.digest}.${viewer}.`;
}

function preferredCoding(acceptEncoding: string | null): "br" | "gzip" | "identity" {
  const accepted = new Map<string, number>();
  for (const part of (acceptEncoding ?? "").split(",")) {
    const [name = "", ...params] = part.trim().toLowerCase().split(";");
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    accepted.set(name, q ? Number(q.slice(2)) || 0 : 1);
  }
  if ((accepted.get("br") ?? 0) > 0) return "br";
  if ((accepted.get("gzip") ?? 0) > 0) return "gzip";
  return "identity";
}

/** Whether `If-None-Match` names this validator, in any coding (RFC 9110: weak comparison). */
function matches(ifNoneMatch: string | null, validator: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(",").some((tag) => tag.trim().replace(/^W\//, "").replace(/^"|"$/g, "").replace(/[^.]*$/, "") === validator);
}

/**
 * The response for `body`: 304 without a body when the request's `If-None-Match` holds its validator for this
 * viewer, else the smallest form the request accepts. Tenant data: `private, no-store` still, so no cache
 * keeps it; the client revalidates the copy it holds in memory by sending the ETag itself.
 */
export async function encodedResponse(req: Request, body: EncodedBody, viewerId: string, headers: Record<string, string> = {}): Promise<Response> {
  const common = { "Cache-Control": PRIVATE_NO_STORE, Vary: "Accept-Encoding", ...headers };
  // The custom server (server/index.mjs) passes a compressed body's coding on; without it, identity only.
  const canEncode = body.br !== null && body.gzip !== null && req.headers.get(PRECOMPRESSED) === "1";
  const coding = canEncode ? preferredCoding(req.headers.get("accept-encoding")) : "identity";
  const validator = validatorOf(body, viewerId);
  if (matches(req.headers.get("if-none-match"), validator)) return new Response(null, { status: 304, headers: { ...common, ETag: `"${validator}${coding}"` } });
  const bytes = (coding === "br" ? await body.br : coding === "gzip" ? await body.gzip : null) ?? body.identity;
  const encoded = bytes !== body.identity;
  // A view of the buffer, not a copy.
  return new Response(new Uint8Array(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength), {
    headers: {
      ...common,
      "Content-Type": body.contentType,
      ETag: `"${validator}${encoded ? coding : "identity"}"`,
      ...(encoded ? { [PRECOMPRESSED]: coding } : {}),
    },
  });
}
