import "server-only";

// Migration 1: the audit trail on PostgreSQL, the same columns and guarantees as the SQLite store (store.ts),
// plus `uid`, each event's own id, which lets an event buffered on disk during an outage be stored exactly
// once however often its flush is retried. `at` is text (ISO 8601, UTC, milliseconds), as hashed.
// Append-only: triggers refuse UPDATE, TRUNCATE, and DELETE of a row younger than the retention period.

export const sql = `
CREATE TABLE audit_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  uid uuid NOT NULL UNIQUE,
  at text NOT NULL,
  action text NOT NULL,
  outcome text NOT NULL,
  code text,
  actor_id text,
  actor_email text,
  actor_name text,
  actor_role text,
  division_id text,
  division_name text,
  rows integer,
  isolation text,
  request_id text,
  prev_hash text NOT NULL,
  hash text NOT NULL
);
CREATE INDEX audit_events_at ON audit_events (at);
CREATE INDEX audit_events_division ON audit_events (division_id, id);
CREATE INDEX audit_events_actor ON audit_events (actor_email, id);

CREATE TABLE audit_settings (id integer PRIMARY KEY CHECK (id = 1), retention_days integer NOT NULL);

CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit events are append-only';
END $$;

CREATE FUNCTION audit_events_keep_retention() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  days integer;
BEGIN
  SELECT retention_days INTO days FROM audit_settings WHERE id = 1;
  IF OLD.at >= to_char((now() AT TIME ZONE 'UTC') - make_interval(days => COALESCE(days, 3650)), 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') THEN
    RAISE EXCEPTION 'audit events are kept for the whole retention period';
  END IF;
  RETURN OLD;
END $$;

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_keep_retention BEFORE DELETE ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_events_keep_retention();
`;
