/**
 * Contract-validation harness: checks an HTTP response (method, concrete path, status, JSON body) against the
 * Genesys Cloud Swagger 2.0 subset in test/contract/openapi-subset.json.
 *
 * - The path is matched to the spec's path templates. Literal segments beat `{param}` segments, so
 *   `/api/v2/users/me` never matches `/api/v2/users/{userId}`.
 * - The response schema for the status is picked, falling back to `default`.
 * - The Swagger `definitions` are turned into one JSON-schema document. Ajv (draft-07 mode) validates against it;
 *   the spec uses only draft-4-compatible keywords.
 * - Objects are CLOSED: every schema with `properties` and no `additionalProperties` gets
 *   `additionalProperties: false`, so a misspelled or invented field fails. `allOf` compositions are flattened
 *   first (members merged into one object schema), so closing them does not reject inherited properties.
 * - Formats: `uri` is checked as a URI *reference* (relative `selfUri`/`nextUri` are normal). `int32`/`int64` get
 *   range checks; `date-time`/`date` come from ajv-formats; `double`/`float` accept any number. Unknown formats,
 *   `x-*`, `readOnly`, `example`, `discriminator`, `description` are dropped.
 */
import fs from "node:fs";
import { fileURLToPath } from "node:url";
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { fullFormats } from "ajv-formats/dist/formats";

export interface ContractResponse {
  method: string;
  /** Concrete request path, e.g. `/api/v2/users/abc?expand=presence`. A full URL is accepted too. */
  path: string;
  status: number;
  body: unknown;
}

export type ValidationResult = { ok: true } | { ok: false; errors: string[] };

export interface SpecOperation {
  /** Upper-case HTTP method. */
  method: string;
  pathTemplate: string;
  operationId: string;
}

export interface MatchedOperation extends SpecOperation {
  pathParams: Record<string, string>;
}

export interface ContractValidator {
  /** Every operation in the spec, in spec order. */
  operations(): readonly SpecOperation[];
  /** The operation a concrete request goes to, or undefined when the spec does not document it. */
  matchOperation(method: string, path: string): MatchedOperation | undefined;
  validateResponse(res: ContractResponse): ValidationResult;
  /** Throws a readable Error when the response does not match the spec. */
  expectMatchesSpec(res: ContractResponse): void;
  /** Compiles the schema of every documented response; returns how many distinct schemas were compiled. */
  precompileAll(): number;
}

export const SPEC_FILE = fileURLToPath(new URL("../contract/openapi-subset.json", import.meta.url));

const SCHEMA_ID = "https://tenantscope.invalid/genesys/openapi-subset.json";
const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch"] as const;
const BODY_EXCERPT_CHARS = 600;

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------------------------
// Formats

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const INT64_MIN = -(2 ** 63);
const INT64_MAX = 2 ** 63 - 1; // not exactly representable; JSON numbers above 2^53 are imprecise anyway

function createAjv(): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv, ["date-time", "date", "uri-reference"]);
  ajv.addFormat("uri", fullFormats["uri-reference"]);
  ajv.addFormat("int32", {
    type: "number",
    validate: (n: number) => Number.isInteger(n) && n >= INT32_MIN && n <= INT32_MAX,
  });
  ajv.addFormat("int64", {
    type: "number",
    validate: (n: number) => Number.isInteger(n) && n >= INT64_MIN && n <= INT64_MAX,
  });
  ajv.addFormat("double", { type: "number", validate: (n: number) => Number.isFinite(n) });
  ajv.addFormat("float", { type: "number", validate: (n: number) => Number.isFinite(n) });
  return ajv;
}

const KNOWN_FORMATS = new Set(["date-time", "date", "uri", "uri-reference", "int32", "int64", "double", "float"]);

// ---------------------------------------------------------------------------------------------------------------
// Swagger 2.0 schema -> closed JSON schema

/** Validation keywords copied through (apart from the ones handled explicitly). Everything else is dropped. */
const PLAIN_KEYWORDS = [
  "type",
  "enum",
  "required",
  "uniqueItems",
  "minimum",
  "maximum",
  "multipleOf",
  "minLength",
  "maxLength",
  "pattern",
  "minItems",
  "maxItems",
  "minProperties",
  "maxProperties",
] as const;

const DEFINITION_REF = "#/definitions/";

class SchemaTransformer {
  constructor(private readonly definitions: JsonObject) {}

  /** Converts one Swagger schema; `$ref`s become absolute references into the definitions document. */
  transform(node: unknown): unknown {
    if (!isObject(node)) return node;
    if (typeof node.$ref === "string") {
      // Swagger 2.0 / draft-4: siblings of $ref (description, readOnly) are ignored.
      return { $ref: this.absoluteRef(node.$ref) };
    }
    if (Array.isArray(node.allOf)) {
      const flat = this.flattenAllOf(node, new Set());
      if (flat) return this.transform(flat);
      return this.transformOpen(node);
    }

    const out: JsonObject = {};
    for (const key of PLAIN_KEYWORDS) {
      if (key in node) out[key] = node[key];
    }
    // draft-4 boolean exclusiveMinimum/exclusiveMaximum -> draft-07 numbers
    if (node.exclusiveMinimum === true && typeof node.minimum === "number") {
      out.exclusiveMinimum = node.minimum;
      delete out.minimum;
    }
    if (node.exclusiveMaximum === true && typeof node.maximum === "number") {
      out.exclusiveMaximum = node.maximum;
      delete out.maximum;
    }
    if (typeof node.format === "string" && KNOWN_FORMATS.has(node.format)) out.format = node.format;
    if (node["x-nullable"] === true && typeof node.type === "string") out.type = [node.type, "null"];

    if (isObject(node.properties)) {
      const props: JsonObject = {};
      for (const [name, sub] of Object.entries(node.properties)) props[name] = this.transform(sub);
      out.properties = props;
    }
    if ("additionalProperties" in node) {
      const ap = node.additionalProperties;
      out.additionalProperties = typeof ap === "boolean" ? ap : this.transform(ap);
    } else if (isObject(node.properties)) {
      out.additionalProperties = false; // closed object: catches misspelled / invented fields
    }
    if (Array.isArray(node.items)) out.items = node.items.map((s) => this.transform(s));
    else if (node.items !== undefined) out.items = this.transform(node.items);
    for (const key of ["anyOf", "oneOf"] as const) {
      const list = node[key];
      if (Array.isArray(list)) out[key] = list.map((s) => this.transform(s));
    }
    if (node.not !== undefined) out.not = this.transformOpen(node.not);
    return out;
  }

  /**
   * Fallback for an allOf that cannot be flattened: members are validated without closing them (closing each
   * member would reject the other members' properties). Extra properties are then NOT detected there.
   */
  private transformOpen(node: unknown): unknown {
    const open = (value: unknown, seen: ReadonlySet<string>): unknown => {
      if (!isObject(value)) return value;
      if (typeof value.$ref === "string") {
        const target = this.resolveRef(value.$ref);
        if (target === undefined || seen.has(value.$ref)) return { $ref: this.absoluteRef(value.$ref) };
        return open(target, new Set([...seen, value.$ref]));
      }
      const copy = this.transform({ ...value, allOf: undefined });
      if (isObject(copy) && copy.additionalProperties === false && !("additionalProperties" in value)) {
        delete copy.additionalProperties;
      }
      if (Array.isArray(value.allOf) && isObject(copy)) copy.allOf = value.allOf.map((m) => open(m, seen));
      return copy;
    };
    return open(node, new Set());
  }

  /**
   * Merges `allOf` members (refs resolved, nested allOf flattened) with the node's own keywords into one object
   * schema. Returns undefined when the members are not plain object schemas.
   */
  private flattenAllOf(node: JsonObject, seen: Set<string>): JsonObject | undefined {
    const properties: JsonObject = {};
    const required = new Set<string>();
    let additionalProperties: unknown;
    const mergeFrom = (part: JsonObject): boolean => {
      if (part.anyOf !== undefined || part.oneOf !== undefined || part.not !== undefined) return false;
      if (part.type !== undefined && part.type !== "object") return false;
      if (isObject(part.properties)) {
        for (const [name, sub] of Object.entries(part.properties)) {
          const previous = properties[name];
          properties[name] = previous === undefined ? sub : { allOf: [previous, sub] };
        }
      }
      if (Array.isArray(part.required)) {
        for (const name of part.required) if (typeof name === "string") required.add(name);
      }
      if ("additionalProperties" in part) {
        if (additionalProperties !== undefined) return false;
        additionalProperties = part.additionalProperties;
      }
      return true;
    };

    const { allOf, ...own } = node;
    if (!Array.isArray(allOf)) return undefined;
    for (const member of allOf) {
      let resolved: unknown = member;
      if (isObject(member) && typeof member.$ref === "string") {
        if (seen.has(member.$ref)) return undefined; // cyclic composition: give up, validate open
        resolved = this.resolveRef(member.$ref);
        if (isObject(resolved) && Array.isArray(resolved.allOf)) {
          resolved = this.flattenAllOf(resolved, new Set([...seen, member.$ref]));
        }
      } else if (isObject(member) && Array.isArray(member.allOf)) {
        resolved = this.flattenAllOf(member, seen);
      }
      if (!isObject(resolved) || !mergeFrom(resolved)) return undefined;
    }
    if (!mergeFrom(own)) return undefined;

    const merged: JsonObject = { type: "object", properties };
    if (required.size > 0) merged.required = [...required].sort();
    if (additionalProperties !== undefined) merged.additionalProperties = additionalProperties;
    return merged;
  }

  private resolveRef(ref: string): unknown {
    if (!ref.startsWith(DEFINITION_REF)) return undefined;
    return this.definitions[decodeURIComponent(ref.slice(DEFINITION_REF.length))];
  }

  private absoluteRef(ref: string): string {
    return ref.startsWith("#") ? SCHEMA_ID + ref : ref;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Paths

interface CompiledTemplate {
  template: string;
  segments: { literal: string | undefined; regex: RegExp; names: string[] }[];
  methods: Map<string, { operationId: string; responses: JsonObject }>;
}

function splitPath(path: string): string[] {
  return path.split("/").filter((segment, i) => i > 0 || segment !== "");
}

function compileTemplate(template: string): CompiledTemplate["segments"] {
  return splitPath(template).map((segment) => {
    const names: string[] = [];
    if (!segment.includes("{")) return { literal: segment, regex: /^$/, names };
    const pattern = segment.replace(/[.*+?^$()|[\]\\]|\{([^}]+)\}/g, (match: string, name: string | undefined) => {
      if (name === undefined) return `\\${match}`;
      names.push(name);
      return "([^/]+)";
    });
    return { literal: undefined, regex: new RegExp(`^${pattern}$`), names };
  });
}

/** Path part of a request path or URL: no scheme/host, no query, no fragment, no trailing slash. */
function normalisePath(path: string): string {
  let p = path.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, "");
  p = p.split("#")[0] ?? "";
  p = p.split("?")[0] ?? "";
  if (p.length > 1 && p.endsWith("/")) p = p.slice(0, -1);
  return p.startsWith("/") ? p : `/${p}`;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Per-segment match. Returns the specificity (1 per literal segment, 0 per templated one) or undefined. */
function matchSegments(
  tpl: CompiledTemplate,
  segments: string[],
): { score: number[]; params: Record<string, string> } | undefined {
  if (tpl.segments.length !== segments.length) return undefined;
  const score: number[] = [];
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    const spec = tpl.segments[i];
    if (seg === undefined || spec === undefined) return undefined;
    if (spec.literal !== undefined) {
      if (spec.literal !== seg && spec.literal !== safeDecode(seg)) return undefined;
      score.push(1);
      continue;
    }
    const m = spec.regex.exec(seg);
    if (!m) return undefined;
    spec.names.forEach((name, j) => {
      params[name] = safeDecode(m[j + 1] ?? "");
    });
    score.push(0);
  }
  return { score, params };
}

/** Lexicographic: a literal segment earlier in the path wins. */
function compareScores(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const diff = (b[i] ?? 0) - (a[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------------------------
// Errors

function formatAjvError(e: ErrorObject): string {
  const where = e.instancePath === "" ? "(root)" : e.instancePath;
  const params: Record<string, unknown> = e.params;
  // Ajv reports schema paths relative to the compiled unit; only show them when they name a definition.
  const schemaPath = e.schemaPath.startsWith(SCHEMA_ID) ? e.schemaPath.slice(SCHEMA_ID.length) : e.schemaPath;
  const at = schemaPath.includes("/definitions/") ? ` [${schemaPath}]` : "";
  switch (e.keyword) {
    case "additionalProperties":
      return `${where}: unexpected property "${String(params.additionalProperty)}" (not defined by the spec)${at}`;
    case "required":
      return `${where}: missing required property "${String(params.missingProperty)}"${at}`;
    case "enum":
      return `${where}: must be one of ${JSON.stringify(params.allowedValues)}${at}`;
    default:
      return `${where}: ${e.message ?? e.keyword}${at}`;
  }
}

function bodyExcerpt(body: unknown): string {
  let text: string;
  try {
    text = body === undefined ? "undefined" : (JSON.stringify(body) ?? String(body));
  } catch {
    text = String(body);
  }
  return text.length > BODY_EXCERPT_CHARS ? `${text.slice(0, BODY_EXCERPT_CHARS)}… (${text.length} chars)` : text;
}

function describeSchema(schema: unknown): string {
  if (isObject(schema) && typeof schema.$ref === "string") return schema.$ref;
  return bodyExcerpt(schema);
}

// ---------------------------------------------------------------------------------------------------------------
// Validator

type Resolution =
  | { ok: true; op: MatchedOperation; statusKey: string; schema: unknown }
  | { ok: false; error: string; op?: MatchedOperation };

export function createContractValidator(spec: unknown): ContractValidator {
  if (!isObject(spec) || !isObject(spec.paths)) throw new Error("contract: spec has no `paths` object");
  const definitions = isObject(spec.definitions) ? spec.definitions : {};
  const globalResponses = isObject(spec.responses) ? spec.responses : {};
  const transformer = new SchemaTransformer(definitions);

  const ajv = createAjv();
  const definitionsDoc: JsonObject = { $id: SCHEMA_ID, definitions: {} };
  const transformedDefs: JsonObject = {};
  for (const [name, def] of Object.entries(definitions)) transformedDefs[name] = transformer.transform(def);
  definitionsDoc.definitions = transformedDefs;
  ajv.addSchema(definitionsDoc);

  const templates: CompiledTemplate[] = [];
  const operationList: SpecOperation[] = [];
  for (const [template, item] of Object.entries(spec.paths)) {
    if (!isObject(item)) continue;
    const methods: CompiledTemplate["methods"] = new Map();
    for (const method of HTTP_METHODS) {
      const op = item[method];
      if (!isObject(op)) continue;
      const operationId = typeof op.operationId === "string" ? op.operationId : `${method} ${template}`;
      methods.set(method.toUpperCase(), { operationId, responses: isObject(op.responses) ? op.responses : {} });
      operationList.push({ method: method.toUpperCase(), pathTemplate: template, operationId });
    }
    templates.push({ template, segments: compileTemplate(template), methods });
  }

  const validators = new Map<string, ValidateFunction>();
  const compile = (schema: unknown): ValidateFunction => {
    const transformed = transformer.transform(schema);
    const key = JSON.stringify(transformed);
    let fn = validators.get(key);
    if (!fn) {
      fn = ajv.compile(isObject(transformed) ? transformed : {});
      validators.set(key, fn);
    }
    return fn;
  };

  const matchOperation = (method: string, path: string): MatchedOperation | undefined => {
    const found = matchTemplate(path);
    if (!found) return undefined;
    const op = found.tpl.methods.get(method.toUpperCase());
    if (!op) return undefined;
    return {
      method: method.toUpperCase(),
      pathTemplate: found.tpl.template,
      operationId: op.operationId,
      pathParams: found.params,
    };
  };

  const matchTemplate = (path: string): { tpl: CompiledTemplate; params: Record<string, string> } | undefined => {
    const segments = splitPath(normalisePath(path));
    let best: { tpl: CompiledTemplate; score: number[]; params: Record<string, string> } | undefined;
    for (const tpl of templates) {
      const m = matchSegments(tpl, segments);
      if (m && (!best || compareScores(m.score, best.score) < 0)) best = { tpl, ...m };
    }
    return best;
  };

  const resolveResponse = (response: unknown): unknown => {
    if (isObject(response) && typeof response.$ref === "string" && response.$ref.startsWith("#/responses/")) {
      return globalResponses[response.$ref.slice("#/responses/".length)];
    }
    return response;
  };

  const resolve = (res: ContractResponse): Resolution => {
    const method = res.method.toUpperCase();
    const found = matchTemplate(res.path);
    if (!found) {
      return { ok: false, error: `no path template in the spec matches ${method} ${normalisePath(res.path)}` };
    }
    const opSpec = found.tpl.methods.get(method);
    if (!opSpec) {
      const documented = [...found.tpl.methods.keys()].join(", ") || "none";
      return {
        ok: false,
        error: `operation not documented: ${method} ${found.tpl.template} (documented methods: ${documented})`,
      };
    }
    const op: MatchedOperation = {
      method,
      pathTemplate: found.tpl.template,
      operationId: opSpec.operationId,
      pathParams: found.params,
    };
    const statusKey = String(res.status);
    const { responses } = opSpec;
    const statusKeyFound = statusKey in responses ? statusKey : "default" in responses ? "default" : undefined;
    if (statusKeyFound === undefined) {
      const documented = Object.keys(responses).join(", ");
      return {
        ok: false,
        op,
        error: `status ${res.status} is not documented for ${op.operationId} (documented: ${documented})`,
      };
    }
    const response = resolveResponse(responses[statusKeyFound]);
    const schema = isObject(response) ? response.schema : undefined;
    return { ok: true, op, statusKey: statusKeyFound, schema };
  };

  const validateResponse = (res: ContractResponse): ValidationResult => {
    const r = resolve(res);
    if (!r.ok) return { ok: false, errors: [r.error] };
    if (r.schema === undefined) {
      const empty = res.body === undefined || res.body === null || res.body === "";
      return empty
        ? { ok: true }
        : { ok: false, errors: [`(root): status ${r.statusKey} of ${r.op.operationId} documents no body, got one`] };
    }
    const validate = compile(r.schema);
    if (validate(res.body)) return { ok: true };
    const errors = (validate.errors ?? []).map(formatAjvError);
    return { ok: false, errors: errors.length > 0 ? errors : ["(root): invalid (no details from ajv)"] };
  };

  const expectMatchesSpec = (res: ContractResponse): void => {
    const result = validateResponse(res);
    if (result.ok) return;
    const r = resolve(res);
    const what = r.op
      ? `${res.method.toUpperCase()} ${res.path} -> ${r.op.operationId} (${r.op.method} ${r.op.pathTemplate})`
      : `${res.method.toUpperCase()} ${res.path}`;
    const schema = r.ok ? `, schema ${describeSchema(r.schema)}` : "";
    throw new Error(
      [
        `Response does not match the Genesys spec: ${what}, status ${res.status}${schema}`,
        ...result.errors.map((e) => `  - ${e}`),
        `Body (excerpt): ${bodyExcerpt(res.body)}`,
      ].join("\n"),
    );
  };

  const precompileAll = (): number => {
    for (const tpl of templates) {
      for (const { responses } of tpl.methods.values()) {
        for (const response of Object.values(responses)) {
          const resolved = resolveResponse(response);
          if (isObject(resolved) && resolved.schema !== undefined) compile(resolved.schema);
        }
      }
    }
    return validators.size;
  };

  return {
    operations: () => operationList,
    matchOperation,
    validateResponse,
    expectMatchesSpec,
    precompileAll,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Default instance (the project's spec copy), compiled once per process

let defaultValidator: ContractValidator | undefined;

export function contractValidator(): ContractValidator {
  if (!defaultValidator) {
    const spec: unknown = JSON.parse(fs.readFileSync(SPEC_FILE, "utf8"));
    defaultValidator = createContractValidator(spec);
  }
  return defaultValidator;
}

export function validateResponse(res: ContractResponse): ValidationResult {
  return contractValidator().validateResponse(res);
}

export function expectMatchesSpec(res: ContractResponse): void {
  contractValidator().expectMatchesSpec(res);
}

export function matchOperation(method: string, path: string): MatchedOperation | undefined {
  return contractValidator().matchOperation(method, path);
}

export function specOperations(): readonly SpecOperation[] {
  return contractValidator().operations();
}
