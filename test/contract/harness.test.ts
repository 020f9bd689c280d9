import { describe, it, expect } from "vitest";
import {
  contractValidator,
  createContractValidator,
  expectMatchesSpec,
  matchOperation,
  specOperations,
  validateResponse,
  type ContractResponse,
} from "../support/contract";

const user = {
  id: "5a0c9e1f-0000-4000-8000-000000000001",
  name: "Ada Agent",
  division: {
    id: "d1000000-0000-4000-8000-000000000001",
    name: "Client A",
    selfUri: "/api/v2/authorization/divisions/d1000000-0000-4000-8000-000000000001",
  },
  chat: { jabberId: "ada@tenant.orgspan.com" },
  email: "ada@example.com",
  primaryContactInfo: [{ address: "ada@example.com", mediaType: "EMAIL", type: "PRIMARY" }],
  addresses: [],
  state: "active",
  title: "Agent",
  username: "ada@example.com",
  images: [{ resolution: "x96", imageUri: "https://prod.example.com/images/x96.jpg" }],
  version: 3,
  acdAutoAnswer: false,
  selfUri: "/api/v2/users/5a0c9e1f-0000-4000-8000-000000000001",
};

const usersSearchResponse = {
  total: 1,
  pageCount: 1,
  pageSize: 25,
  pageNumber: 1,
  currentPage: "/api/v2/users/search?q64=eyJwYWdlU2l6ZSI6MjV9",
  types: ["users"],
  results: [user],
};

const errorBody403 = {
  message:
    "Unable to perform the requested action. You are missing the following permission 'directory:user:view' in the provided division(s).",
  code: "missing.division.permission",
  status: 403,
  messageWithParams:
    "Unable to perform the requested action. You are missing the following permission '{permission}' in the provided division(s).",
  messageParams: { permission: "directory:user:view" },
  contextId: "8f7d6c1e-1111-4222-8333-944455556666",
  details: [],
  errors: [],
};

const division = {
  id: "d1000000-0000-4000-8000-000000000001",
  name: "Client A",
  description: "Tenant for client A",
  homeDivision: false,
  objectCounts: { user: 42, queue: 3 },
  selfUri: "/api/v2/authorization/divisions/d1000000-0000-4000-8000-000000000001",
};

const userListing = {
  entities: [user],
  pageSize: 1,
  pageNumber: 1,
  total: 2,
  pageCount: 2,
  firstUri: "/api/v2/users?pageSize=1&pageNumber=1",
  selfUri: "/api/v2/users?pageSize=1&pageNumber=1",
  nextUri: "/api/v2/users?pageSize=1&pageNumber=2",
  lastUri: "/api/v2/users?pageSize=1&pageNumber=2",
};

function expectRejected(res: ContractResponse, ...fragments: string[]): string[] {
  const result = validateResponse(res);
  expect(result.ok).toBe(false);
  const errors = result.ok ? [] : result.errors;
  for (const fragment of fragments) expect(errors.join("\n")).toContain(fragment);
  return errors;
}

describe("contract harness: valid bodies pass", () => {
  it("accepts a UsersSearchResponse for POST and GET /api/v2/users/search", () => {
    expect(validateResponse({ method: "POST", path: "/api/v2/users/search", status: 200, body: usersSearchResponse })).toEqual({
      ok: true,
    });
    expectMatchesSpec({ method: "GET", path: "/api/v2/users/search?q64=eyJwYWdlU2l6ZSI6MjV9", status: 200, body: usersSearchResponse });
  });

  it("accepts an ErrorBody for a documented 403", () => {
    expectMatchesSpec({ method: "POST", path: "/api/v2/users/search", status: 403, body: errorBody403 });
  });

  it("accepts an AuthzDivision with objectCounts (a map of int64)", () => {
    expectMatchesSpec({
      method: "GET",
      path: "/api/v2/authorization/divisions/d1000000-0000-4000-8000-000000000001?objectCount=true",
      status: 200,
      body: division,
    });
    expectMatchesSpec({
      method: "GET",
      path: "/api/v2/authorization/divisions/home",
      status: 200,
      body: { id: "home", name: "Home", description: "", homeDivision: true, selfUri: "/api/v2/authorization/divisions/home" },
    });
  });

  it("accepts a UserEntityListing whose URIs are relative", () => {
    expectMatchesSpec({ method: "GET", path: "/api/v2/users?pageSize=1", status: 200, body: userListing });
  });

  it("accepts a full request URL as the path", () => {
    expectMatchesSpec({ method: "get", path: "http://127.0.0.1:4010/api/v2/users?pageSize=1", status: 200, body: userListing });
  });

  it("compiles every documented response schema", () => {
    // 14 distinct 200 models (User serves getUser; UsersSearchResponse serves both searches) + ErrorBody
    expect(contractValidator().precompileAll()).toBe(15);
  });
});

describe("contract harness: invalid bodies fail", () => {
  it("rejects a wrong type", () => {
    expectRejected(
      { method: "GET", path: "/api/v2/users/abc", status: 200, body: { ...user, version: "3" } },
      "/version: must be integer",
    );
  });

  it("rejects a misspelled extra property, also when nested", () => {
    expectRejected(
      { method: "GET", path: "/api/v2/users/abc", status: 200, body: { ...user, emial: "x@example.com" } },
      'unexpected property "emial"',
    );
    expectRejected(
      {
        method: "POST",
        path: "/api/v2/users/search",
        status: 200,
        body: { ...usersSearchResponse, results: [{ ...user, division: { ...user.division, homeDivision: true } }] },
      },
      '/results/0/division: unexpected property "homeDivision"',
    );
  });

  it("rejects a User without the required version", () => {
    const { version: _version, ...withoutVersion } = user;
    expectRejected({ method: "GET", path: "/api/v2/users/abc", status: 200, body: withoutVersion }, 'missing required property "version"');
  });

  it("rejects a UsersSearchResponse missing required fields", () => {
    const { types: _types, pageCount: _pageCount, ...partial } = usersSearchResponse;
    expectRejected({ method: "POST", path: "/api/v2/users/search", status: 200, body: partial }, '"types"', '"pageCount"');
  });

  it("rejects an AuthzDivision without description and a non-integer object count", () => {
    const { description: _description, ...noDescription } = division;
    expectRejected(
      { method: "GET", path: "/api/v2/authorization/divisions/x", status: 200, body: noDescription },
      'missing required property "description"',
    );
    expectRejected(
      { method: "GET", path: "/api/v2/authorization/divisions/x", status: 200, body: { ...division, objectCounts: { user: "42" } } },
      "/objectCounts/user: must be integer",
    );
  });

  it("rejects int32 overflow, bad enums, bad date-times and invalid URI references", () => {
    expectRejected(
      { method: "GET", path: "/api/v2/users", status: 200, body: { ...userListing, pageSize: 2 ** 31 } },
      '/pageSize: must match format "int32"',
    );
    expectRejected({ method: "GET", path: "/api/v2/users/me", status: 200, body: { ...user, state: "ACTIVE" } }, "/state: must be one of");
    expectRejected(
      { method: "GET", path: "/api/v2/users/abc", status: 200, body: { ...user, dateLastLogin: "yesterday" } },
      '/dateLastLogin: must match format "date-time"',
    );
    expectRejected(
      { method: "GET", path: "/api/v2/users", status: 200, body: { ...userListing, nextUri: "not a uri" } },
      '/nextUri: must match format "uri"',
    );
  });

  it("rejects an ErrorBody with a string status", () => {
    expectRejected({ method: "GET", path: "/api/v2/users/abc", status: 404, body: { ...errorBody403, status: "404" } }, "/status");
  });

  it("rejects an undocumented status, method or path", () => {
    expectRejected({ method: "GET", path: "/api/v2/users/abc", status: 201, body: user }, "status 201 is not documented for getUser");
    expectRejected({ method: "DELETE", path: "/api/v2/users/abc", status: 200, body: {} }, "operation not documented: DELETE /api/v2/users/{userId}");
    expectRejected({ method: "GET", path: "/api/v2/groups", status: 200, body: {} }, "no path template in the spec matches GET /api/v2/groups");
  });

  it("expectMatchesSpec throws a readable error", () => {
    let message = "";
    try {
      expectMatchesSpec({ method: "GET", path: "/api/v2/users/abc", status: 200, body: { ...user, nmae: "typo", version: undefined } });
    } catch (e) {
      message = e instanceof Error ? e.message : String(e);
    }
    expect(message).toContain("getUser (GET /api/v2/users/{userId})");
    expect(message).toContain("status 200");
    expect(message).toContain("#/definitions/User");
    expect(message).toContain('unexpected property "nmae"');
    expect(message).toContain('missing required property "version"');
    expect(message).toContain("Body (excerpt):");
  });
});

describe("contract harness: path matching", () => {
  const expected: [method: string, path: string, operationId: string, pathTemplate: string][] = [
    ["GET", "/api/v2/users?pageSize=25", "getUsers", "/api/v2/users"],
    ["GET", "/api/v2/users/abc", "getUser", "/api/v2/users/{userId}"],
    ["GET", "/api/v2/users/me", "getUsersMe", "/api/v2/users/me"],
    ["POST", "/api/v2/users/search", "postUsersSearch", "/api/v2/users/search"],
    ["GET", "/api/v2/users/search?q64=eyJ9", "getUsersSearch", "/api/v2/users/search"],
    ["GET", "/api/v2/authorization/divisions?objectCount=true", "getAuthorizationDivisions", "/api/v2/authorization/divisions"],
    ["GET", "/api/v2/authorization/divisions/d1", "getAuthorizationDivision", "/api/v2/authorization/divisions/{divisionId}"],
    ["GET", "/api/v2/authorization/divisions/home", "getAuthorizationDivisionsHome", "/api/v2/authorization/divisions/home"],
    [
      "GET",
      "/api/v2/authorization/divisionspermitted/paged/me?permission=directory%3Auser%3Aview",
      "getAuthorizationDivisionspermittedPagedMe",
      "/api/v2/authorization/divisionspermitted/paged/me",
    ],
    [
      "GET",
      "/api/v2/authorization/divisionspermitted/paged/u1?permission=directory%3Auser%3Aview",
      "getAuthorizationDivisionspermittedPagedSubjectId",
      "/api/v2/authorization/divisionspermitted/paged/{subjectId}",
    ],
    ["GET", "/api/v2/tokens/me", "getTokensMe", "/api/v2/tokens/me"],
    ["DELETE", "/api/v2/tokens/me", "deleteTokensMe", "/api/v2/tokens/me"],
    ["GET", "/api/v2/oauth/clients/c1", "getOauthClient", "/api/v2/oauth/clients/{clientId}"],
    ["GET", "/api/v2/authorization/roles/r1?userCount=false", "getAuthorizationRole", "/api/v2/authorization/roles/{roleId}"],
    ["GET", "/api/v2/authorization/roles?permission=directory:user:view", "getAuthorizationRoles", "/api/v2/authorization/roles"],
    ["GET", "/api/v2/authorization/roles/r1/subjectgrants", "getAuthorizationRoleSubjectgrants", "/api/v2/authorization/roles/{roleId}/subjectgrants"],
    ["GET", "/api/v2/authorization/subjects/u1", "getAuthorizationSubject", "/api/v2/authorization/subjects/{subjectId}"],
    ["GET", "/api/v2/organizations/me", "getOrganizationsMe", "/api/v2/organizations/me"],
  ];

  it("the table covers exactly the 18 operations of the spec", () => {
    const fromSpec = specOperations().map((op) => `${op.method} ${op.pathTemplate} ${op.operationId}`);
    expect(fromSpec).toHaveLength(18);
    expect(expected.map(([method, , id, tpl]) => `${method} ${tpl} ${id}`).sort()).toEqual([...fromSpec].sort());
  });

  it.each(expected)("%s %s -> %s", (method, path, operationId, pathTemplate) => {
    const match = matchOperation(method, path);
    expect(match).toMatchObject({ operationId, pathTemplate });
  });

  it("extracts decoded path parameters", () => {
    expect(matchOperation("get", "/api/v2/users/a%20b/")?.pathParams).toEqual({ userId: "a b" });
  });

  it("does not match undocumented methods or paths", () => {
    expect(matchOperation("DELETE", "/api/v2/users/abc")).toBeUndefined();
    expect(matchOperation("GET", "/api/v2/users/abc/queues")).toBeUndefined();
    expect(matchOperation("GET", "/api/v2/user")).toBeUndefined();
  });
});

describe("contract harness: allOf compositions stay closed", () => {
  // The Genesys subset has no allOf; this synthetic spec proves the closing transform handles it.
  const synthetic = {
    swagger: "2.0",
    paths: {
      "/things/{id}": {
        get: {
          operationId: "getThing",
          responses: { "200": { schema: { $ref: "#/definitions/Thing" } }, default: { schema: { $ref: "#/definitions/Base" } } },
        },
      },
    },
    definitions: {
      Base: { type: "object", required: ["id"], properties: { id: { type: "string" }, selfUri: { type: "string", format: "uri" } } },
      Thing: {
        allOf: [{ $ref: "#/definitions/Base" }, { type: "object", required: ["size"], properties: { size: { type: "integer", format: "int32" } } }],
        description: "A Base with a size",
      },
    },
  };
  const v = createContractValidator(synthetic);

  it("accepts properties from every allOf member", () => {
    expect(v.validateResponse({ method: "GET", path: "/things/1", status: 200, body: { id: "1", selfUri: "/things/1", size: 2 } })).toEqual({
      ok: true,
    });
  });

  it("rejects extra properties and missing required ones from any member", () => {
    const r = v.validateResponse({ method: "GET", path: "/things/1", status: 200, body: { size: 2, szie: 3 } });
    expect(r.ok).toBe(false);
    const text = r.ok ? "" : r.errors.join("\n");
    expect(text).toContain('missing required property "id"');
    expect(text).toContain('unexpected property "szie"');
  });

  it("falls back to the default response", () => {
    expect(v.validateResponse({ method: "GET", path: "/things/1", status: 500, body: { id: "x" } })).toEqual({ ok: true });
  });
});
