// Builds the demo org "Northwind BPO" that the emulator serves. Ids that tests, docs and the demo
// script refer to are fixed (see `DEMO`); everything else comes from a seeded PRNG, so a given seed
// always yields a byte-identical org and tests can reset the emulator cheaply.

import type { EmuDivision, EmuGrant, EmuOAuthClient, EmuOrg, EmuRole, EmuUser, UserState } from "./model";
import { createUint32 } from "./prng";

export const DEMO = {
  orgId: "1da080b4-081a-4928-b7d0-85fb83240b97",
  orgName: "Northwind BPO",
  domain: "northwind.example",
  password: "demo",
  divisions: {
    home: "0dbfea33-22e6-4295-b232-27550f928017",
    acme: "874c52f6-16cc-4464-a8ec-5fa29e2bc0e6",
    globex: "08161dbc-37dc-420d-95ee-1958e77c5a17",
    initech: "3ad9a77b-71c4-4450-830c-7d0acfe528f1",
    umbrella: "2cfced0b-a573-4c8c-9f45-8be29a83b84b",
    stark: "f368e0ff-3003-420d-855b-f6aeb9d174b1",
    wayne: "c73656cb-a2ae-4733-b519-216772731c1e",
  },
  roles: {
    directoryViewer: "504883bf-2cdc-430f-b76e-8fa08f74d874",
    integrationAdminReader: "cc2dfa91-cfd3-4ab3-9e33-5c9f7f9df889",
    employee: "83f4d74a-e304-4067-9441-27b7c5b81834",
    grantViewer: "17e3c0c7-bc2c-4b32-8cdd-5bcc972f04cd",
  },
  clients: {
    bff: { id: "c1166154-55a6-4926-9fcb-b433f26ff19f", secret: "bff-demo-secret" },
    misconfigured: { id: "25daca63-1b5c-4872-9d00-44243e8b7165", secret: "misconfigured-demo-secret" },
    staffLogin: { id: "1d9cc09d-9a5b-4218-997a-2b1dd94b45ef", secret: "staff-demo-secret" },
  },
  staff: {
    admin: { id: "72d35097-1f7e-4593-802b-fa8b87707363", email: "admin@northwind.example", name: "Avery Admin" },
    ana: { id: "30d49392-e98c-4cb9-a135-130362f6a956", email: "ana.manager@northwind.example", name: "Ana Manager" },
    ben: { id: "22634aa7-1f07-467c-bd2c-f0b438496bd7", email: "ben.manager@northwind.example", name: "Ben Manager" },
    noAccess: { id: "36d2284e-60f0-450f-8fb6-637f0bde1df4", email: "no.access@northwind.example", name: "Noah Access" },
  },
  /** Users whose names start with a spreadsheet formula character; present for every seed. */
  csvUsers: {
    acme: [
      "2a22fd48-d0d3-4c69-b346-4e41e5718527",
      "d8e37afa-46c8-437b-979a-f924eb44e9f6",
      "81b1d25f-9c51-41a9-bd9d-9829d31c5cbe",
      "1b5a9cb6-2e28-40f6-bcd5-0a2ec5376af6",
    ],
    globex: [
      "91869bb5-66b0-4635-8869-c690184606a9",
      "71dfe8a3-d87c-45f6-8b37-8f0d967882b3",
      "e1398dae-31d8-4b82-b40b-ef657d2f45b0",
      "ada42fa2-873a-47c9-a488-6b1c5c134899",
    ],
  },
  /**
   * Deleted users per division, for every seed. Genesys keeps a deleted user readable by id (state "deleted"),
   * while a default search, the division's objectCounts and the ground truth (/__emulator/divisions/{id}/user-ids)
   * leave them out. They come after every other user, from streams of their own, so the rest of the org is
   * byte-identical to what it was before they existed.
   */
  deletedUsers: { home: 3, acme: 2, initech: 5, umbrella: 20 },
} as const;

export type DemoDivisionKey = keyof typeof DEMO.divisions;

// A date well before any token the emulator issues, so nothing looks "created in the future".
const CREATED = "2025-03-14T09:26:53.000Z";

// ---------------------------------------------------------------------------------------------
// PRNG

interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  uint32(): number;
  /** Inclusive on both ends. */
  int(min: number, max: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
}

function mulberry32(seed: number): Rng {
  const uint32 = createUint32(seed);
  const next = (): number => uint32() / 4294967296;
  return {
    next,
    uint32,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: (items) => at(items, Math.floor(next() * items.length)),
  };
}

// Each division draws from its own stream, so resizing one division does not reshuffle the others.
function streamSeed(seed: number, stream: number): number {
  let h = (Math.trunc(seed) ^ Math.imul(stream + 1, 0x9e3779b9)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function at<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new Error(`seed: index ${index} out of range (${items.length})`);
  return item;
}

function weightedPicker<T>(entries: readonly (readonly [T, number])[]): (rng: Rng) => T {
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  return (rng) => {
    let roll = rng.next() * total;
    for (const [value, weight] of entries) {
      roll -= weight;
      if (roll < 0) return value;
    }
    return at(entries, entries.length - 1)[0];
  };
}

const HEX_CODES = Array.from("0123456789abcdef", (ch) => ch.charCodeAt(0));
const UUID_CODES: number[] = new Array<number>(36).fill(45);

// Writes char codes into a reused buffer: string slicing and concatenation made this the hottest
// function of the seed. The `used` check is not paranoia: every mulberry32 stream is an offset into
// the same 2^32 cycle, so two divisions' streams can overlap and would then repeat ids.
function uuidV4(rng: Rng, used: Set<string>): string {
  for (;;) {
    let k = 0;
    for (let word = 0; word < 4; word++) {
      let v = rng.uint32();
      if (word === 1) v = (v & 0xffff0fff) | 0x4000; // version 4
      if (word === 2) v = ((v & 0x3fffffff) | 0x80000000) >>> 0; // RFC 4122 variant
      for (let shift = 28; shift >= 0; shift -= 4) {
        if (k === 8 || k === 13 || k === 18 || k === 23) k++; // hyphens are pre-filled
        UUID_CODES[k++] = at(HEX_CODES, (v >>> shift) & 15);
      }
    }
    const id = String.fromCharCode(...UUID_CODES);
    if (!used.has(id)) {
      used.add(id);
      return id;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Names

interface NamePart {
  display: string;
  ascii: string;
  /** Small integer standing for `ascii`, so emails can be de-duplicated without hashing strings. */
  key: number;
}

interface Culture {
  given: NamePart[];
  family: NamePart[];
  /** East Asian and Vietnamese names put the family name first. */
  familyFirst: boolean;
  /** Names in Han script are written without a space. */
  joiner: string;
}

// Han script has no diacritics to strip, so email local parts need an explicit romanisation.
const ROMANISED: Readonly<Record<string, string>> = {
  陈: "chen",
  王: "wang",
  李: "li",
  张: "zhang",
  刘: "liu",
  杨: "yang",
  黄: "huang",
  伟: "wei",
  芳: "fang",
  静: "jing",
  秀英: "xiuying",
  磊: "lei",
  洋: "yang",
  婷: "ting",
  明: "ming",
};

// Letters NFD does not decompose into a base letter plus combining marks.
const LATIN_SPECIALS: Readonly<Record<string, string>> = {
  ł: "l",
  ø: "o",
  ß: "ss",
  æ: "ae",
  œ: "oe",
  đ: "d",
  þ: "th",
  ð: "d",
  ı: "i",
};

function asciiFold(text: string): string {
  const romanised = ROMANISED[text];
  if (romanised !== undefined) return romanised;
  return text
    .toLowerCase()
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^\x20-\x7e]/g, (ch) => LATIN_SPECIALS[ch] ?? "")
    .replace(/[^a-z0-9-]/g, "");
}

const ASCII_KEYS = new Map<string, number>();
const KEY_SPACE = 4096;

function namePart(display: string, ascii: string): NamePart {
  // Email uniqueness (see Mailbox) relies on parts never containing a dot or a digit.
  if (!/^[a-z][a-z-]*$/.test(ascii)) throw new Error(`seed: bad ASCII form ${JSON.stringify(ascii)} for ${display}`);
  let key = ASCII_KEYS.get(ascii);
  if (key === undefined) {
    key = ASCII_KEYS.size;
    if (key >= KEY_SPACE) throw new Error("seed: too many distinct name parts");
    ASCII_KEYS.set(ascii, key);
  }
  return { display, ascii, key };
}

function parts(names: readonly string[]): NamePart[] {
  return names.map((display) => namePart(display, asciiFold(display) || "user"));
}

function culture(given: readonly string[], family: readonly string[], familyFirst = false, joiner = " "): Culture {
  return { given: parts(given), family: parts(family), familyFirst, joiner };
}

const ENGLISH_FAMILY = [
  "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Taylor", "Anderson",
  "Thomas", "Moore", "Jackson", "White", "Harris", "Clarke", "Lewis", "Walker", "Hall", "Young", "King",
  "Wright", "Scott", "Green", "Baker", "Hughes", "Edwards", "Turner", "O'Brien", "O'Connor", "McDonald",
  "MacLeod", "D'Angelo", "Smith-Jones", "Harrington-Blake", "Fothergill-Smythe", "Ashby-Reeves",
];

// Computed once at module load: the per-call cost of seedOrg stays in building users.
const CULTURES = weightedPicker<Culture>([
  [
    culture(
      [
        "James", "Olivia", "Liam", "Emma", "Noah", "Ava", "Oliver", "Sophia", "Ethan", "Mia", "Lucas", "Harper",
        "Mason", "Amelia", "Logan", "Zoë", "Chloë", "Renée", "Chantelle", "Darnell", "Keisha", "Tyrone",
        "Jasmine", "Connor", "Megan", "Bethany", "Kieran", "Grace", "Daniel", "Hannah", "Samuel", "Rebecca",
        "Matthew", "Lauren", "Jack", "Isla", "Freddie", "Mary-Kate", "Billie-Jo",
      ],
      ENGLISH_FAMILY,
    ),
    30,
  ],
  [
    culture(
      [
        "José", "María", "Juan", "Lucía", "Alejandro", "Sofía", "Javier", "Camila", "Andrés", "Valentina",
        "Martín", "Ximena", "Íñigo", "Begoña", "Raúl", "Inés", "José Luis", "María José",
      ],
      [
        "García", "Martínez", "Rodríguez", "López", "Hernández", "Nuñez", "Peña", "Muñoz", "Ibáñez",
        "Gómez-Pérez", "Fernández", "Sánchez", "Díaz", "Castillo", "García-Márquez", "De la Cruz",
      ],
    ),
    15,
  ],
  [
    culture(
      [
        "Björn", "Søren", "Ólafur", "Åsa", "Sigríður", "Jürgen", "Günther", "Anke", "Lena", "Matthias",
        "Ingrid", "Freyja", "Magnús", "Märta", "Henrik", "Katrín", "Jörg",
      ],
      [
        "Müller", "Schröder", "Weiß", "Jensen", "Sørensen", "Lindqvist", "Åberg", "Gunnarsdóttir",
        "Þórsson", "Hoffmann", "Bäcker", "Nyström", "Østergaard", "Kühn", "Fischer", "von der Heide",
      ],
    ),
    10,
  ],
  [
    culture(
      [
        "Łukasz", "Małgorzata", "Wojciech", "Agnieszka", "Paweł", "Zofia", "Jiří", "Tomáš", "Dragan",
        "Ivana", "Bożena", "Krzysztof",
      ],
      [
        "Kowalski", "Wiśniewska", "Wójcik", "Łęcka", "Nowak", "Dvořák", "Novák", "Jovanović", "Kovačević",
        "Szymańska", "Zieliński",
      ],
    ),
    7,
  ],
  [
    culture(
      ["Aoife", "Siobhán", "Niamh", "Seán", "Oisín", "Caoimhe", "Ciarán", "Pádraig", "Róisín"],
      ["Ó Súilleabháin", "Ní Bhriain", "O'Sullivan", "Murphy", "Kelly", "Ó Ceallaigh", "MacCarthy", "Byrne", "Walsh"],
    ),
    4,
  ],
  [
    culture(
      [
        "Zoé", "Élodie", "François", "Hélène", "Jérôme", "Océane", "Maëlle", "Loïc", "Jean-Luc", "Anne-Marie",
        "João", "Gonçalo", "Inês",
      ],
      ["Lefèvre", "Dubois", "Gauthier", "Côté", "Bélanger", "Gonçalves", "Conceição", "Simões", "Araújo", "Leroy-Beaulieu"],
    ),
    5,
  ],
  [
    culture(
      ["Ngọc Anh", "Thị Hương", "Văn Minh", "Thu Trang", "Quốc Bảo", "Minh Châu", "Đức Anh"],
      ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Võ", "Đặng", "Bùi"],
      true,
    ),
    4,
  ],
  [culture(["伟", "芳", "静", "秀英", "磊", "洋", "婷", "明"], ["陈", "王", "李", "张", "刘", "杨", "黄"], true, ""), 3],
  [
    culture(
      ["Wei", "Fang", "Jing", "Xiaoming", "Mei", "Hao", "Yan"],
      ["Chen", "Wang", "Li", "Zhang", "Liu", "Huang", "Zhou"],
    ),
    3,
  ],
  [
    culture(
      [
        "Priya", "Arjun", "Aditya", "Ananya", "Rohan", "Kavya", "Sanjay", "Lakshmi", "Vikram", "Deepika",
        "Imran", "Fatima",
      ],
      [
        "Patel", "Sharma", "Singh", "Iyer", "Reddy", "Nair", "Gupta", "Chatterjee", "Khan", "Krishnamurthy",
        "Venkataraman",
      ],
    ),
    8,
  ],
  [
    culture(
      ["Mohammed", "Aisha", "Omar", "Layla", "Yusuf", "Zeynep", "Emre", "Elif", "Hüseyin", "Çağla", "Şükrü"],
      ["Al-Sayed", "El-Amin", "Haddad", "Khoury", "Yılmaz", "Öztürk", "Çelik", "Şahin", "Abu-Bakr"],
    ),
    5,
  ],
  [
    culture(
      ["Chinedu", "Ngozi", "Oluwaseun", "Thandiwe", "Kwame", "Amara", "Sipho", "Adaeze", "Tendai"],
      ["Okafor", "Adeyemi", "Mensah", "Nkosi", "Dlamini", "Eze", "Okonkwo", "Mwangi", "Abubakar"],
    ),
    4,
  ],
  [
    culture(
      ["Haruto", "Yui", "Sakura", "Ren", "Ji-woo", "Min-jun", "Seo-yeon"],
      ["Tanaka", "Suzuki", "Satō", "Kim", "Park", "Lee", "Choi", "Yamamoto"],
    ),
    3,
  ],
]);

const ENGLISH_SURNAMES = parts(ENGLISH_FAMILY.filter((n) => !n.includes("-")));
// Built once so a random double-barrelled surname shares its key with an identical listed one.
const DOUBLE_BARRELLED: NamePart[][] = ENGLISH_SURNAMES.map((a) =>
  ENGLISH_SURNAMES.map((b) => namePart(`${a.display}-${b.display}`, `${a.ascii}-${b.ascii}`)),
);

interface PersonName {
  name: string;
  given: NamePart;
  family: NamePart;
}

function randomName(rng: Rng): PersonName {
  const c = CULTURES(rng);
  const given = rng.pick(c.given);
  let family = rng.pick(c.family);
  // Double-barrelled surnames are common enough in UK contact centres to show up in a directory.
  if (c.joiner === " " && !c.familyFirst && rng.chance(0.03)) {
    const a = rng.int(0, ENGLISH_SURNAMES.length - 1);
    const b = rng.int(0, ENGLISH_SURNAMES.length - 1);
    if (a !== b) family = at(at(DOUBLE_BARRELLED, a), b);
  }
  const name = c.familyFirst ? `${family.display}${c.joiner}${given.display}` : `${given.display} ${family.display}`;
  return { name, given, family };
}

// ---------------------------------------------------------------------------------------------
// Divisions

interface DivisionSpec {
  key: DemoDivisionKey;
  name: string;
  description: string;
  /** Sub-domain for the tenant's user emails. */
  slug: string;
  size: number;
  spread: number;
  departments: string[];
}

const CLIENT_DIVISIONS: readonly DivisionSpec[] = [
  {
    key: "acme",
    name: "Acme Insurance",
    description: "Client tenant: Acme Insurance claims and policy servicing.",
    slug: "acme-insurance",
    size: 40,
    spread: 3,
    departments: ["Claims", "Policy Services", "Billing", "Retention"],
  },
  {
    key: "globex",
    name: "Globex Telecom",
    description: "Client tenant: Globex Telecom consumer and SMB support.",
    slug: "globex-telecom",
    size: 350,
    spread: 15,
    departments: ["Technical Support", "Billing", "Retention", "Sales", "Activations", "Collections"],
  },
  {
    key: "initech",
    name: "Initech Bank",
    description: "Client tenant: Initech Bank retail banking contact centre.",
    slug: "initech-bank",
    size: 2500,
    spread: 50,
    departments: ["Card Services", "Fraud", "Collections", "Mortgage Support", "Account Services", "Complaints"],
  },
  {
    key: "umbrella",
    name: "Umbrella Health",
    description: "Client tenant: Umbrella Health member and patient services.",
    slug: "umbrella-health",
    // Deliberately above 10,000: user search pages through at most 10,000 results (SEARCH_RESULT_WINDOW).
    size: 12000,
    spread: 150,
    departments: [
      "Patient Access", "Claims", "Pharmacy Support", "Member Services", "Billing", "Nurse Line",
      "Prior Authorisation",
    ],
  },
  {
    key: "stark",
    name: "Stark Retail",
    description: "Client tenant: Stark Retail e-commerce customer care.",
    slug: "stark-retail",
    size: 200,
    spread: 10,
    departments: ["Order Support", "Returns", "Loyalty", "Billing", "Technical Support"],
  },
  {
    key: "wayne",
    name: "Wayne Logistics",
    description: "Client tenant: Wayne Logistics (onboarding, no agents yet).",
    slug: "wayne-logistics",
    size: 0,
    spread: 0,
    departments: ["Shipment Tracking"],
  },
];

const HOME_DIVISION: EmuDivision = {
  id: DEMO.divisions.home,
  name: "Home",
  description: "Northwind BPO internal staff.",
  homeDivision: true,
};

// Titles of Home's internal staff, in the order they are filled; the first is the head.
const HOME_ROLES: readonly (readonly [title: string | undefined, department: string | undefined])[] = [
  ["Chief Operating Officer", "Executive"],
  ["Head of IT", "IT"],
  ["Genesys Cloud Administrator", "IT"],
  ["HR Business Partner", "Human Resources"],
  ["Finance Analyst", "Finance"],
  ["Workforce Planner", "Workforce Management"],
  ["Quality Manager", "Quality Assurance"],
  ["Training Manager", "Training"],
  ["Client Services Manager", "Client Services"],
  ["IT Support Engineer", "IT"],
  ["Recruiter", "Human Resources"],
  ["Data Analyst", undefined],
  ["Payroll Specialist", "Finance"],
  ["Real-Time Analyst", "Workforce Management"],
  [undefined, "Facilities"],
  ["Trainer", "Training"],
];

type StaffTitle = "agent" | "support";

const FRONTLINE_TITLE = weightedPicker<readonly [string | undefined, StaffTitle]>([
  [["Agent", "agent"], 52],
  [["Senior Agent", "agent"], 14],
  [["Customer Service Representative", "agent"], 8],
  [["Escalations Specialist", "agent"], 4],
  [["Quality Analyst", "support"], 4],
  [["Workforce Planner", "support"], 2],
  [["Real-Time Analyst", "support"], 2],
  [["Trainer", "support"], 2],
  [[undefined, "agent"], 4],
]);

// Support functions sit outside the client's line-of-business departments.
const SUPPORT_DEPARTMENT: Readonly<Record<string, string>> = {
  "Quality Analyst": "Quality Assurance",
  "Workforce Planner": "Workforce Management",
  "Real-Time Analyst": "Workforce Management",
  Trainer: "Training",
};

const CSV_NAMES: Readonly<Record<"acme" | "globex", readonly (readonly [name: string, local: string])[]>> = {
  acme: [
    ['=HYPERLINK("http://evil.example","x")', "csv.equals"],
    ["+Plus Person", "csv.plus"],
    ["-Minus Person", "csv.minus"],
    ["@At Person", "csv.at"],
  ],
  globex: [
    ["=1+1", "csv.equals"],
    ["+Plus Person", "csv.plus"],
    ["-Minus Person", "csv.minus"],
    ["@SUM(1+1)*cmd|' /C calc'!A0", "csv.at"],
  ],
};

// ---------------------------------------------------------------------------------------------
// Users

interface UserDraft {
  name: string;
  email: string;
  title?: string;
  department?: string;
  state: UserState;
  managerId?: string;
  password?: string;
  grants?: EmuGrant[];
}

/**
 * Hands out unique addresses in one email domain: `given.family`, then `given.family2`, `given.family3`...
 * Counting by integer name keys instead of checking a Set of strings keeps the seed fast. Generated
 * local parts cannot collide with each other: parts contain no dot or digit, so the local part
 * determines the name and the suffix. Reserved ones (staff, CSV cases) are checked explicitly.
 */
class Mailbox {
  private readonly counts = new Map<number, number>();
  private readonly reserved = new Set<string>();

  constructor(private readonly domain: string) {}

  reserve(local: string): string {
    if (this.reserved.has(local)) throw new Error(`seed: ${local}@${this.domain} reserved twice`);
    this.reserved.add(local);
    return `${local}@${this.domain}`;
  }

  forName(given: NamePart, family: NamePart): string {
    const key = given.key * KEY_SPACE + family.key;
    let n = this.counts.get(key) ?? 0;
    for (;;) {
      n++;
      const local = n === 1 ? `${given.ascii}.${family.ascii}` : `${given.ascii}.${family.ascii}${n}`;
      if (this.reserved.size === 0 || !this.reserved.has(local)) {
        this.counts.set(key, n);
        return `${local}@${this.domain}`;
      }
    }
  }
}

interface Ctx {
  usedIds: Set<string>;
}

function makeUser(id: string, divisionId: string, draft: UserDraft, version: number): EmuUser {
  // Optional properties are left out rather than set to undefined, as the Genesys API omits them.
  // Properties are added in one fixed order so every user shares a shape and the JSON reads the same.
  const user = { id, name: draft.name, email: draft.email, username: draft.email } as EmuUser;
  if (draft.title !== undefined) user.title = draft.title;
  if (draft.department !== undefined) user.department = draft.department;
  user.state = draft.state;
  user.divisionId = divisionId;
  if (draft.managerId !== undefined) user.managerId = draft.managerId;
  user.version = version;
  if (draft.password !== undefined) user.password = draft.password;
  user.grants = draft.grants ?? [];
  return user;
}

function randomState(rng: Rng): UserState {
  return rng.chance(0.1) ? "inactive" : "active";
}

function randomVersion(rng: Rng): number {
  return rng.chance(0.6) ? 1 : rng.int(2, 7);
}

function shuffle<T>(rng: Rng, items: T[]): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    const tmp = at(items, i);
    items[i] = at(items, j);
    items[j] = tmp;
  }
}

function buildClientDivision(ctx: Ctx, spec: DivisionSpec, rng: Rng): EmuUser[] {
  const divisionId = DEMO.divisions[spec.key];
  const mailbox = new Mailbox(`${spec.slug}.${DEMO.domain}`);
  const csv = spec.key === "acme" || spec.key === "globex" ? CSV_NAMES[spec.key] : [];
  const csvIds: readonly string[] = spec.key === "acme" || spec.key === "globex" ? DEMO.csvUsers[spec.key] : [];
  // Reserved before any generated address is handed out, so the fixed ones always win.
  const csvEmails = csv.map(([, local]) => mailbox.reserve(local));
  const total = spec.size === 0 ? 0 : spec.size + rng.int(-spec.spread, spec.spread);
  const generated = total - csv.length;
  if (generated <= 0) return [];

  const users: EmuUser[] = [];
  const add = (draft: UserDraft, id: string): EmuUser => {
    const user = makeUser(id, divisionId, draft, randomVersion(rng));
    users.push(user);
    return user;
  };
  // Draft literals are written out in full: object spread here cost more than the rest of the seed.
  const hire = (title: string | undefined, department: string | undefined, state: UserState, managerId?: string): EmuUser => {
    const id = uuidV4(rng, ctx.usedIds);
    const n = randomName(rng);
    return add({ name: n.name, email: mailbox.forName(n.given, n.family), title, department, state, managerId }, id);
  };

  // Roughly one supervisor per 70 people and one team lead per 12, as in a typical BPO floor.
  const supervisorCount = Math.max(1, Math.round(generated / 70));
  const leadCount = Math.max(1, Math.round(generated / 12));

  const head = hire("Account Director", "Client Services", "active");
  const supervisors: EmuUser[] = [];
  for (let i = 0; i < supervisorCount; i++) {
    supervisors.push(hire("Supervisor", rng.pick(spec.departments), randomState(rng), head.id));
  }
  const leads: EmuUser[] = [];
  for (let i = 0; i < leadCount; i++) {
    leads.push(hire("Team Lead", rng.pick(spec.departments), randomState(rng), rng.pick(supervisors).id));
  }

  const frontline = generated - 1 - supervisorCount - leadCount;
  for (let i = 0; i < frontline; i++) {
    const [title, kind] = FRONTLINE_TITLE(rng);
    const lead = rng.pick(leads);
    let department: string | undefined;
    let managerId: string | undefined;
    if (kind === "support" && title !== undefined) {
      department = SUPPORT_DEPARTMENT[title];
      managerId = rng.pick(supervisors).id;
    } else {
      const roll = rng.next();
      // Agents mostly sit in their team lead's department; a few are cross-skilled or unassigned.
      department = roll < 0.85 ? lead.department : roll < 0.94 ? rng.pick(spec.departments) : undefined;
      managerId = lead.id;
    }
    // A few new starters have not been placed under a lead yet.
    if (rng.chance(0.04)) managerId = undefined;
    hire(title, department, randomState(rng), managerId);
  }

  csv.forEach(([name], i) => {
    const lead = rng.pick(leads);
    add(
      {
        name,
        email: at(csvEmails, i),
        title: "Agent",
        department: lead.department,
        state: "active",
        managerId: lead.id,
      },
      at(csvIds, i),
    );
  });

  shuffle(rng, users);
  return users;
}

function buildHomeDivision(ctx: Ctx, rng: Rng): EmuUser[] {
  const divisionId = DEMO.divisions.home;
  const { divisions: d, roles: r, staff: s } = DEMO;
  const viewer = (divisionId: string): EmuGrant => ({ roleId: r.directoryViewer, divisionId });
  const staff: readonly (readonly [{ id: string; email: string; name: string }, string, EmuGrant[]])[] = [
    [
      s.admin,
      "Platform Administrator",
      [viewer("*"), { roleId: r.integrationAdminReader, divisionId: d.home }, { roleId: r.grantViewer, divisionId: d.home }],
    ],
    [s.ana, "Account Manager", [viewer(d.acme)]],
    [s.ben, "Account Manager", [viewer(d.globex), viewer(d.initech)]],
    [s.noAccess, "Team Coordinator", [{ roleId: r.employee, divisionId: d.home }]],
  ];

  const mailbox = new Mailbox(DEMO.domain);
  const users: EmuUser[] = [];
  for (const [who, title, grants] of staff) {
    const email = mailbox.reserve(who.email.slice(0, who.email.indexOf("@")));
    if (email !== who.email) throw new Error(`seed: staff email ${who.email} is outside ${DEMO.domain}`);
    users.push(
      makeUser(who.id, divisionId, {
        name: who.name,
        email,
        title,
        department: title === "Platform Administrator" ? "IT" : "Client Services",
        state: "active",
        password: DEMO.password,
        grants,
      }, 1),
    );
  }

  const internal = rng.int(14, 16);
  let headId: string | undefined;
  for (let i = 0; i < internal; i++) {
    const [title, department] = at(HOME_ROLES, i);
    const n = randomName(rng);
    const user = makeUser(
      uuidV4(rng, ctx.usedIds),
      divisionId,
      {
        name: n.name,
        email: mailbox.forName(n.given, n.family),
        title,
        department,
        state: headId === undefined ? "active" : randomState(rng),
        managerId: headId,
      },
      randomVersion(rng),
    );
    headId ??= user.id;
    users.push(user);
  }
  return users;
}

// Each division's deleted users draw from stream DELETED_STREAM + its place in DEMO.deletedUsers.
const DELETED_STREAM = 100;

function buildDeletedUsers(ctx: Ctx, seed: number): EmuUser[] {
  const users: EmuUser[] = [];
  Object.entries(DEMO.deletedUsers).forEach(([key, count], i) => {
    const rng = mulberry32(streamSeed(seed, DELETED_STREAM + i));
    const spec = CLIENT_DIVISIONS.find((s) => s.key === key);
    const domain = spec ? `${spec.slug}.${DEMO.domain}` : DEMO.domain;
    // "former.given.family" has three dot-separated parts: Mailbox only hands out two (names hold no dot), and
    // the reserved staff and CSV addresses have at most two, so these never collide with a live user's email.
    const taken = new Set<string>();
    for (let n = 0; n < count; n++) {
      const name = randomName(rng);
      const base = `former.${name.given.ascii}.${name.family.ascii}`;
      let local = base;
      for (let k = 2; taken.has(local); k++) local = `${base}${k}`;
      taken.add(local);
      const [title, department] = spec ? (["Agent", rng.pick(spec.departments)] as const) : at(HOME_ROLES, rng.int(1, HOME_ROLES.length - 1));
      const draft: UserDraft = { name: name.name, email: `${local}@${domain}`, title, department, state: "deleted" };
      users.push(makeUser(uuidV4(rng, ctx.usedIds), DEMO.divisions[key as DemoDivisionKey], draft, randomVersion(rng)));
    }
  });
  return users;
}

// ---------------------------------------------------------------------------------------------
// Roles and clients

const ROLES: readonly EmuRole[] = [
  {
    id: DEMO.roles.directoryViewer,
    name: "Directory Viewer",
    description: "View users in the directory of the divisions it is granted in.",
    permissions: ["directory:user:view"],
  },
  {
    id: DEMO.roles.integrationAdminReader,
    name: "Integration Admin Reader",
    description: "Read OAuth clients and roles, for integrations that check their own setup.",
    permissions: ["oauth:client:view", "authorization:role:view"],
  },
  {
    id: DEMO.roles.employee,
    name: "Employee",
    description: "Baseline role for every employee: own profile only.",
    permissions: ["user:profile:view"],
  },
  {
    id: DEMO.roles.grantViewer,
    name: "Grant Viewer",
    description: "View which roles subjects hold in which divisions.",
    permissions: ["authorization:grant:view"],
  },
];

function buildClients(): EmuOAuthClient[] {
  const { divisions: d, roles: r, clients: c } = DEMO;
  // The BFF is deliberately not granted Stark Retail, so the "no access to this tenant" path is demoable.
  const bffDivisions = [d.home, d.acme, d.globex, d.initech, d.umbrella, d.wayne];
  return [
    {
      id: c.bff.id,
      name: "Tenantscope BFF",
      description: "Server-side backend of the Tenantscope dashboard.",
      secret: c.bff.secret,
      authorizedGrantType: "CLIENT-CREDENTIALS",
      registeredRedirectUri: [],
      roleDivisions: [
        ...bffDivisions.map((divisionId) => ({ roleId: r.directoryViewer, divisionId })),
        { roleId: r.integrationAdminReader, divisionId: d.home },
        // The access explorer (/access) reads people's grants (GET /api/v2/authorization/subjects/{id}).
        { roleId: r.grantViewer, divisionId: d.home },
      ],
      accessTokenValiditySeconds: 86400,
      state: "active",
      dateCreated: CREATED,
    },
    {
      id: c.misconfigured.id,
      name: "Tenantscope BFF (misconfigured)",
      description: "Same as the BFF client but granted only Employee; has no directory:user:view anywhere.",
      secret: c.misconfigured.secret,
      authorizedGrantType: "CLIENT-CREDENTIALS",
      registeredRedirectUri: [],
      roleDivisions: [{ roleId: r.employee, divisionId: d.home }],
      accessTokenValiditySeconds: 86400,
      state: "active",
      dateCreated: "2025-06-02T14:05:11.000Z",
    },
    {
      id: c.staffLogin.id,
      name: "Tenantscope Staff Login",
      description: "Authorization-code client used to sign Northwind staff in to Tenantscope.",
      secret: c.staffLogin.secret,
      authorizedGrantType: "CODE",
      registeredRedirectUri: [
        "http://localhost:*/api/auth/callback/genesys",
        "http://127.0.0.1:*/api/auth/callback/genesys",
      ],
      roleDivisions: [],
      accessTokenValiditySeconds: 86400,
      state: "active",
      dateCreated: "2025-03-14T09:41:27.000Z",
    },
  ];
}

// ---------------------------------------------------------------------------------------------

/** Builds the demo org. Same seed → byte-identical org; the seed is used as a 32-bit integer. */
export function seedOrg(seed: number): EmuOrg {
  const ctx: Ctx = {
    usedIds: new Set<string>([
      DEMO.orgId,
      ...Object.values(DEMO.divisions),
      ...Object.values(DEMO.roles),
      ...Object.values(DEMO.clients).map((c) => c.id),
      ...Object.values(DEMO.staff).map((s) => s.id),
      ...DEMO.csvUsers.acme,
      ...DEMO.csvUsers.globex,
    ]),
  };

  const users = buildHomeDivision(ctx, mulberry32(streamSeed(seed, 0)));
  CLIENT_DIVISIONS.forEach((spec, i) => {
    for (const user of buildClientDivision(ctx, spec, mulberry32(streamSeed(seed, i + 1)))) users.push(user);
  });
  for (const user of buildDeletedUsers(ctx, seed)) users.push(user);

  const divisions: EmuDivision[] = [
    { ...HOME_DIVISION },
    ...CLIENT_DIVISIONS.map((spec) => ({
      id: DEMO.divisions[spec.key],
      name: spec.name,
      description: spec.description,
      homeDivision: false,
    })),
  ];

  return {
    id: DEMO.orgId,
    name: DEMO.orgName,
    domain: DEMO.domain,
    divisions,
    roles: ROLES.map((role) => ({ ...role, permissions: [...role.permissions] })),
    users,
    clients: buildClients(),
  };
}
