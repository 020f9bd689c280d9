import "server-only";

import { actorOf, audit, auditBatched, auditRefusal, type AuditEvent } from "@/lib/server/audit";
import type { StaffAccess } from "@/lib/server/staff";

import { route, type Handler, type RouteContext } from "./route";

// Routes whose every answer is on the audit record (views, exports, diagnostics, readings of the trail). The
// route names who (`by`) and what (`about`) as its steps learn them; whatever it throws from then on is
// recorded as a refusal ("denied") or failure ("error") with what was known, and still answered as usual.
// An outcome recorded before the handler returns is committed with others of the same moment, and the
// response waits for that commit (a crash right after cannot lose a view that was answered); one recorded
// later, while a stream is under way, is committed at once, and the stream sends what it records once the
// commit settles (at once with SQLite, a round trip or a disk-buffer write later with PostgreSQL).

type Subject = Pick<AuditEvent, "divisionId" | "divisionName" | "subjectId" | "subjectName">;
type Outcome = Partial<Pick<AuditEvent, "outcome" | "code" | "rows" | "isolation" | "divisionId" | "divisionName" | "subjectId" | "subjectName">>;

export interface AuditedContext extends RouteContext {
  /** The caller, once the session is read (null: signed out); returned unchanged. */
  by<S extends StaffAccess | null>(staff: S): S;
  about(subject: Subject): void;
  /**
   * Records the request's own outcome (default "ok"). Before the handler returns, the response waits for its
   * commit anyway; after (a stream), a caller that sends something it records awaits this first.
   */
  record(outcome?: Outcome): Promise<void>;
  /** Records a failure that happened after the response began (a stream). */
  refused(e: unknown): void;
}

export function audited<P = Record<string, never>>(action: AuditEvent["action"], handler: Handler<P, AuditedContext>) {
  return route<P>(async (req, params, { requestId }) => {
    let staff: StaffAccess | null = null;
    let subject: Subject = {};
    let answered = false;
    const commits: Promise<void>[] = [];
    const ctx: AuditedContext = {
      requestId,
      by: (s) => {
        staff = s;
        return s;
      },
      about: (s) => {
        subject = { ...subject, ...s };
      },
      record: (outcome = {}) => {
        const event: AuditEvent = { action, actor: actorOf(staff), ...subject, outcome: "ok", ...outcome, requestId };
        if (answered) return audit(event);
        commits.push(auditBatched(event));
        return Promise.resolve();
      },
      refused: (e) => auditRefusal(action, staff, e, requestId, subject),
    };
    try {
      const res = await handler(req, params, ctx);
      answered = true;
      await Promise.all(commits);
      return res;
    } catch (e) {
      answered = true;
      await Promise.all(commits);
      ctx.refused(e);
      throw e;
    }
  });
}
