import "server-only";

// RFC 4180 CSV for exports. The data (user names, titles, departments) is typed by people in the
// tenant's org, so every string cell is treated as hostile spreadsheet input.

export type CsvCell = string | number | boolean | null | undefined;

export const CSV_LINE_END = "\r\n";

// Lets Excel detect UTF-8 instead of guessing a legacy code page.
export const CSV_BOM = "\uFEFF";

// OWASP "CSV Injection": spreadsheets evaluate cells starting with these as formulas: = + - @, also after
// leading whitespace or line breaks (some apps trim them first), and their full-width forms ＝ ＋ － ＠ (some
// apps fold them to ASCII); a cell starting with tab or CR is treated the same way.
const FORMULA_START = /^(?:[\t\r]|[\s\u3000]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20])/;

/** Prefixes `'` to a cell a spreadsheet would evaluate as a formula; other text is unchanged. */
export function neutraliseFormula(cell: string): string {
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

function formatCell(cell: CsvCell): string {
  if (cell === null || cell === undefined) return "";
  // Numbers and booleans come from our code, not from people, and "-1" must stay a number.
  const text = typeof cell === "string" ? neutraliseFormula(cell) : String(cell);
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsvRow(cells: readonly CsvCell[]): string {
  return cells.map(formatCell).join(",") + CSV_LINE_END;
}

export function csvHeader(columns: readonly string[]): string {
  return toCsvRow(columns);
}

export interface CsvLinesOptions {
  bom?: boolean;
}

/**
 * Streams a CSV document one record at a time, so a large division never sits in memory as one
 * string. Feed it to a ReadableStream (e.g. `ReadableStream.from`) in the export route.
 */
export async function* csvLines<T>(
  header: readonly string[],
  rows: Iterable<T> | AsyncIterable<T>,
  toCells: (row: T) => readonly CsvCell[],
  options: CsvLinesOptions = {},
): AsyncGenerator<string, void, undefined> {
  yield (options.bom ? CSV_BOM : "") + csvHeader(header);
  for await (const row of rows) yield toCsvRow(toCells(row));
}

/** Records per chunk of a CSV stream: one enqueue per record would cost more than the records themselves. */
const RECORDS_PER_CHUNK = 500;

/** A response body from `csvLines`, read lazily as the client reads; `onEnd` says how it ended. */
export function csvStream(lines: AsyncGenerator<string, void, undefined>, onEnd?: (how: "complete" | "cancelled") => void): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let chunk = "";
      for (let i = 0; i < RECORDS_PER_CHUNK; i++) {
        const next = await lines.next();
        if (next.done) {
          if (chunk) controller.enqueue(encoder.encode(chunk));
          controller.close();
          onEnd?.("complete");
          return;
        }
        chunk += next.value;
      }
      controller.enqueue(encoder.encode(chunk));
    },
    cancel() {
      onEnd?.("cancelled");
      void lines.return(undefined);
    },
  });
}
