"use client";

import type { ReactNode } from "react";

import { useDiagnostics, useTestDivision } from "@/lib/client/diagnostics";
import type { Check, CheckFailure, Diagnostics, DivisionRow, DivisionTest } from "@/lib/shared/contract";

import { CapabilitiesTable } from "./capabilities-check";
import { TableHead } from "./table-head";

const numberFormat = new Intl.NumberFormat("en");

function Status({ ok }: { ok: boolean }) {
  return <span className={`badge ${ok ? "ok" : "bad"}`}>{ok ? "OK" : "Problem"}</span>;
}

function Failure({ failure }: { failure: CheckFailure }) {
  return (
    <div className="banner bad">
      <p>
        <strong>{failure.message}</strong>
      </p>
      <p>
        Code <code>{failure.genesysCode ?? failure.code}</code>
        {failure.upstreamStatus ? ` (HTTP ${failure.upstreamStatus})` : ""}
        {failure.correlationId ? (
          <>
            {" "}
            · correlation id <code>{failure.correlationId}</code>
          </>
        ) : null}
      </p>
      {failure.fix.length > 0 ? (
        <>
          <p>How to fix:</p>
          <ol>
            {failure.fix.map((step) => (
              <li key={step}>{step}</li>
            ))}
          </ol>
        </>
      ) : null}
    </div>
  );
}

function CheckItem<T>({ title, check, children }: { title: string; check: Check<T>; children?: ReactNode }) {
  return (
    <li className="panel check">
      <h2>
        <Status ok={check.ok} /> {title}
      </h2>
      {children}
      {check.failure ? <Failure failure={check.failure} /> : null}
    </li>
  );
}

function TestResult({ result }: { result: DivisionTest }) {
  if (result.ok) {
    return (
      <span className="badge ok">
        {numberFormat.format(result.users ?? 0)} users, {result.isolation?.verified ?? 0} verified, {result.upstreamCalls} calls in {((result.durationMs ?? 0) / 1000).toFixed(1)} s
      </span>
    );
  }
  return result.failure ? <Failure failure={result.failure} /> : <span className="badge bad">Failed</span>;
}

type DivisionTestMutation = ReturnType<typeof useTestDivision>;

export function DiagnosticsView() {
  const { data, error, isFetching, refetch } = useDiagnostics();
  const test = useTestDivision();
  return (
    <>
      <h1>Diagnostics</h1>
      <p className="muted">Live checks of Tenantscope&apos;s Genesys Cloud client. Nothing here is cached.</p>
      <div className="toolbar">
        <button type="button" className="button" onClick={() => void refetch()} disabled={isFetching}>
          {isFetching ? "Running…" : "Run again"}
        </button>
        {data ? <span className="muted">Ran at {new Date(data.ranAt).toLocaleTimeString("en")}</span> : null}
      </div>
      {error ? (
        <p className="banner bad" role="alert">
          {error.message}
        </p>
      ) : null}
      {data ? <DiagnosticsChecks data={data} test={test} /> : !error && <p aria-busy="true">Running checks…</p>}
    </>
  );
}

function DiagnosticsChecks({ data, test }: { data: Diagnostics; test: DivisionTestMutation }) {
  return (
    <ul className="checks">
      <CheckItem title="Configuration" check={{ ok: data.config.clientIdPresent }}>
        <p>
          Region <code>{data.config.region}</code> · login host <code>{data.config.loginHost}</code> · API host <code>{data.config.apiHost}</code>
          {data.config.gateway ? " (through a gateway)" : ""} · client id {data.config.clientIdPresent ? <code>{data.config.clientIdHint}</code> : "missing"} ·
          isolation mode <code>{data.config.isolationMode}</code>
        </p>
      </CheckItem>
      <CheckItem title="Token acquisition (client credentials)" check={data.token}>
        {data.token.ok ? <p>A token was obtained.</p> : null}
      </CheckItem>
      <CheckItem title="Token info" check={data.tokenInfo}>
        {data.tokenInfo.value ? (
          <p>
            Organization <strong>{data.tokenInfo.value.organization}</strong> · client <strong>{data.tokenInfo.value.clientName}</strong> · grant{" "}
            <code>{data.tokenInfo.value.grantType}</code>
          </p>
        ) : null}
      </CheckItem>
      <CheckItem title="The client's roles by division" check={data.grants}>
        {data.grants.value && data.grants.value.length > 0 ? <GrantsTable grants={data.grants.value} /> : data.grants.ok ? <p>The client holds no roles.</p> : null}
      </CheckItem>
      <CheckItem title="Divisions" check={data.divisions}>
        {data.divisions.value ? <DivisionsTable divisions={data.divisions.value} test={test} /> : null}
      </CheckItem>
      {data.accessExplorer ? (
        <CheckItem title="Access explorer permissions" check={data.accessExplorer}>
          <ul>
            {(data.accessExplorer.value ?? []).map((p) => (
              <li key={p.permission}>
                <span className={`badge ${p.held ? "ok" : "bad"}`}>{p.held ? "Held" : "Missing"}</span> <code>{p.permission}</code>: to {p.purpose}
              </li>
            ))}
          </ul>
        </CheckItem>
      ) : null}
      {data.capabilities ? (
        <CheckItem title="Genesys capabilities" check={data.capabilities}>
          <p className="muted">Behaviours the Genesys documentation leaves open, probed just now with Tenantscope&apos;s own client (read-only).</p>
          {data.capabilities.value ? <CapabilitiesTable reports={data.capabilities.value} /> : null}
        </CheckItem>
      ) : null}
    </ul>
  );
}

function GrantsTable({ grants }: { grants: NonNullable<Diagnostics["grants"]["value"]> }) {
  return (
    <table className="matrix">
      <TableHead columns={["Role", "Division", "Permissions"]} />
      <tbody>
        {grants.map((g) => (
          <tr key={`${g.roleId}-${g.divisionId}`}>
            <td>{g.roleName}</td>
            <td>{g.divisionName}</td>
            <td>
              <code>{g.permissions.join(", ") || "unknown"}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function DivisionsTable({ divisions, test }: { divisions: DivisionRow[]; test: DivisionTestMutation }) {
  return (
    <table className="matrix">
      <TableHead columns={["Division", "Users", "Directory > User > View", "Roles here", "Test"]} />
      <tbody>
        {divisions.map((d) => (
          <DivisionCheckRow key={d.id} division={d} test={test} />
        ))}
      </tbody>
    </table>
  );
}

function DivisionCheckRow({ division: d, test }: { division: DivisionRow; test: DivisionTestMutation }) {
  return (
    <tr data-division={d.name}>
      <td>{d.name}</td>
      <td>{d.userCount === null ? "?" : numberFormat.format(d.userCount)}</td>
      <td>
        <Status ok={d.hasDirectoryUserView} />
        {d.fix ? (
          <ol>
            {d.fix.map((s) => (
              <li key={s}>{s}</li>
            ))}
          </ol>
        ) : null}
        {d.correlationId && !d.hasDirectoryUserView ? (
          <p className="muted">
            Correlation id <code>{d.correlationId}</code>
          </p>
        ) : null}
      </td>
      <td>{d.roles.join(", ") || "none"}</td>
      <td>
        <button type="button" className="button" onClick={() => test.mutate(d.id)} disabled={test.isPending && test.variables === d.id}>
          {test.isPending && test.variables === d.id ? "Testing…" : `Test ${d.name}`}
        </button>
        {test.data && test.data.divisionId === d.id ? <TestResult result={test.data} /> : null}
      </td>
    </tr>
  );
}
