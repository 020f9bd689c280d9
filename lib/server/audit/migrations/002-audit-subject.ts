import "server-only";

// Migration 2: whom an event is about (the access explorer records the person an explanation was asked for).
// Nullable, and hashed only when set (rows.ts `contentOf`), so the rows stored before keep their hashes.

export const sql = `
ALTER TABLE audit_events ADD COLUMN subject_id text, ADD COLUMN subject_name text;
`;
