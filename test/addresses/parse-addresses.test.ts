import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAddresses, parseEmailAddress } from '../../src/addresses/index.js';

type Pair = [name: string | null, address: string];

interface Case {
  field: string | null | undefined;
  addresses: Pair[];
  rejected?: string[];
}

const JDOE: Pair = [null, 'jdoe@gemini.edu'];
const ASMITH: Pair = [null, 'asmith@noirlab.edu'];

/** FitsStorage's tests of `get_and_fix_emails`, with the name case now yielding the address and its name. */
const fitsStorageCases: Case[] = [
  { field: null, addresses: [] },
  { field: '', addresses: [] },
  { field: '  ', addresses: [] },
  { field: ' foo@bar.com ', addresses: [[null, 'foo@bar.com']] },
  {
    field: ' foo1@bar.com, foo2@bar.com ',
    addresses: [
      [null, 'foo1@bar.com'],
      [null, 'foo2@bar.com'],
    ],
  },
  {
    field: ' foo1@bar.com foo2@bar.com ',
    addresses: [
      [null, 'foo1@bar.com'],
      [null, 'foo2@bar.com'],
    ],
  },
  {
    field: ' foo1@bar.com, foo2@bar.com foo3@bar.com',
    addresses: [
      [null, 'foo1@bar.com'],
      [null, 'foo2@bar.com'],
      [null, 'foo3@bar.com'],
    ],
  },
  {
    field: ' foo1@bar.com, Testy McTestFace foo2@bar.com',
    addresses: [
      [null, 'foo1@bar.com'],
      ['Testy McTestFace', 'foo2@bar.com'],
    ],
  },
];

const separatorCases: Case[] = [
  { field: undefined, addresses: [] },
  { field: 'jdoe@gemini.edu; asmith@noirlab.edu', addresses: [JDOE, ASMITH] },
  { field: 'jdoe@gemini.edu;asmith@noirlab.edu;', addresses: [JDOE, ASMITH] },
  { field: 'jdoe@gemini.edu\tasmith@noirlab.edu', addresses: [JDOE, ASMITH] },
  { field: 'jdoe@gemini.edu\nasmith@noirlab.edu', addresses: [JDOE, ASMITH] },
  { field: 'jdoe@gemini.edu\r\nasmith@noirlab.edu\r\n', addresses: [JDOE, ASMITH] },
  { field: 'jdoe@gemini.edu  asmith@noirlab.edu', addresses: [JDOE, ASMITH] },
  { field: 'jdoe@gemini.edu\u00a0asmith@noirlab.edu', addresses: [JDOE, ASMITH] },
  { field: 'jdoe@gemini.edu\u2028asmith@noirlab.edu', addresses: [JDOE, ASMITH] },
  { field: 'jdoe@gemini.edu and asmith@noirlab.edu', addresses: [JDOE, ASMITH] },
  { field: 'jdoe@gemini.edu AND asmith@noirlab.edu', addresses: [JDOE, ASMITH] },
  { field: 'jdoe@gemini.edu / asmith@noirlab.edu', addresses: [JDOE, ASMITH] },
  { field: 'jdoe@gemini.edu & asmith@noirlab.edu', addresses: [JDOE, ASMITH] },
  { field: 'jdoe@gemini.edu,, ;asmith@noirlab.edu', addresses: [JDOE, ASMITH] },
  { field: ' , jdoe@gemini.edu ,', addresses: [JDOE] },
  { field: 'jdoe@gemini.edu,\n\tasmith@noirlab.edu; lee@nao.ac.jp', addresses: [JDOE, ASMITH, [null, 'lee@nao.ac.jp']] },
  { field: 'N/A\nTesty McTestFace foo2@bar.com', addresses: [['Testy McTestFace', 'foo2@bar.com']], rejected: ['N/A'] },
  {
    field: 'John Doe jdoe@gemini.edu\r\nAnn Smith asmith@noirlab.edu',
    addresses: [
      ['John Doe', 'jdoe@gemini.edu'],
      ['Ann Smith', 'asmith@noirlab.edu'],
    ],
  },
];

const formCases: Case[] = [
  { field: 'John Doe <jdoe@gemini.edu>', addresses: [['John Doe', 'jdoe@gemini.edu']] },
  { field: '"Doe, John" <jdoe@gemini.edu>', addresses: [['Doe, John', 'jdoe@gemini.edu']] },
  { field: 'Doe, John <jdoe@gemini.edu>', addresses: [['Doe, John', 'jdoe@gemini.edu']] },
  {
    field: 'Doe, John <jdoe@gemini.edu>, Smith, Ann <asmith@noirlab.edu>',
    addresses: [
      ['Doe, John', 'jdoe@gemini.edu'],
      ['Smith, Ann', 'asmith@noirlab.edu'],
    ],
  },
  {
    field: 'Doe, John <jdoe@gemini.edu> Smith, Ann <asmith@noirlab.edu>',
    addresses: [
      ['Doe, John', 'jdoe@gemini.edu'],
      ['Smith, Ann', 'asmith@noirlab.edu'],
    ],
  },
  { field: 'Doe, John jdoe@gemini.edu', addresses: [['Doe, John', 'jdoe@gemini.edu']] },
  { field: 'Doe,\n  John <jdoe@gemini.edu>', addresses: [['Doe, John', 'jdoe@gemini.edu']] },
  { field: '"Doe,\n John" <jdoe@gemini.edu>', addresses: [['Doe, John', 'jdoe@gemini.edu']] },
  { field: 'van der Berg, Jan <j.vdberg@astro.rug.nl>', addresses: [['van der Berg, Jan', 'j.vdberg@astro.rug.nl']] },
  { field: "'Doe, John' <jdoe@gemini.edu>", addresses: [['Doe, John', 'jdoe@gemini.edu']] },
  { field: 'jdoe@gemini.edu (John Doe)', addresses: [['John Doe', 'jdoe@gemini.edu']] },
  {
    field: 'jdoe@gemini.edu (John Doe), asmith@noirlab.edu (Ann Smith)',
    addresses: [
      ['John Doe', 'jdoe@gemini.edu'],
      ['Ann Smith', 'asmith@noirlab.edu'],
    ],
  },
  { field: 'John Doe jdoe@gemini.edu', addresses: [['John Doe', 'jdoe@gemini.edu']] },
  {
    field: 'John Doe jdoe@gemini.edu Ann Smith asmith@noirlab.edu',
    addresses: [
      ['John Doe', 'jdoe@gemini.edu'],
      ['Ann Smith', 'asmith@noirlab.edu'],
    ],
  },
  { field: 'John Doe (jdoe@gemini.edu)', addresses: [['John Doe', 'jdoe@gemini.edu']] },
  { field: 'jdoe@gemini.edu (jdoe@gmail.com)', addresses: [JDOE, [null, 'jdoe@gmail.com']] },
  {
    field: 'John <jdoe@gemini.edu> and Ann <asmith@noirlab.edu>',
    addresses: [
      ['John', 'jdoe@gemini.edu'],
      ['Ann', 'asmith@noirlab.edu'],
    ],
  },
  { field: 'John Doe <jdoe@gemini.edu> asmith@noirlab.edu', addresses: [['John Doe', 'jdoe@gemini.edu'], ASMITH] },
  { field: '<jdoe@gemini.edu>', addresses: [JDOE] },
  { field: 'mailto:jdoe@gemini.edu', addresses: [JDOE] },
  { field: 'MAILTO:jdoe@gemini.edu', addresses: [JDOE] },
  { field: 'John Doe <mailto:jdoe@gemini.edu>', addresses: [['John Doe', 'jdoe@gemini.edu']] },
  { field: '"jdoe@gemini.edu"', addresses: [JDOE] },
  { field: "'jdoe@gemini.edu'", addresses: [JDOE] },
  { field: '“jdoe@gemini.edu”', addresses: [JDOE] },
  { field: '"jdoe@gemini.edu" <jdoe@gemini.edu>', addresses: [JDOE] },
  { field: 'jdoe@gemini.edu>', addresses: [JDOE] },
  { field: '<jdoe@gemini.edu', addresses: [JDOE] },
  { field: 'John Doe <jdoe@gemini.edu, asmith@noirlab.edu', addresses: [['John Doe', 'jdoe@gemini.edu'], ASMITH] },
  { field: '<<jdoe@gemini.edu>>', addresses: [JDOE] },
  { field: 'jdoe@gemini.edu.', addresses: [JDOE] },
  { field: 'jdoe@gemini.edu,', addresses: [JDOE] },
  { field: 'Email: jdoe@gemini.edu', addresses: [JDOE] },
  { field: 'Dr. John Doe <jdoe@gemini.edu>', addresses: [['Dr. John Doe', 'jdoe@gemini.edu']] },
  { field: "O'Brien, Pat <pat.obrien@dias.ie>", addresses: [["O'Brien, Pat", 'pat.obrien@dias.ie']] },
  { field: "pat.o'brien+gemini@dias.ie", addresses: [[null, "pat.o'brien+gemini@dias.ie"]] },
  { field: '"O\\"Brien, Pat" <pob@dias.ie>', addresses: [['O"Brien, Pat', 'pob@dias.ie']] },
  { field: 'José Müller <jose.muller@uni-heidelberg.de>', addresses: [['José Müller', 'jose.muller@uni-heidelberg.de']] },
  { field: '李小龍 <li@nao.cas.cn>', addresses: [['李小龍', 'li@nao.cas.cn']] },
  { field: '"  John   Doe  " <jdoe@gemini.edu>', addresses: [['John Doe', 'jdoe@gemini.edu']] },
];

const caseAndRepeatCases: Case[] = [
  { field: 'JDoe@Gemini.EDU', addresses: [[null, 'JDoe@Gemini.EDU']] },
  { field: 'JDoe@Gemini.edu, jdoe@gemini.EDU', addresses: [[null, 'JDoe@Gemini.edu']] },
  { field: 'Ann <asmith@noirlab.edu>; Ann Smith <ASmith@NOIRLab.edu>', addresses: [['Ann', 'asmith@noirlab.edu']] },
  { field: 'jm@müller.de', addresses: [[null, 'jm@müller.de']] },
  { field: 'jm@müller.de jm@xn--mller-kva.de', addresses: [[null, 'jm@müller.de']] },
];

/** Names may hold anything printable; no line break or control character survives into a header. */
const injectionCases: Case[] = [
  { field: '"Foo\r\nBcc: victim@evil.com" <jdoe@gemini.edu>', addresses: [['Foo Bcc: victim@evil.com', 'jdoe@gemini.edu']] },
  { field: 'John\u0000Doe <jdoe@gemini.edu>', addresses: [['John Doe', 'jdoe@gemini.edu']] },
  { field: '"John\u0085Doe\u001b" <jdoe@gemini.edu>', addresses: [['John Doe', 'jdoe@gemini.edu']] },
  { field: 'jdoe@gemini.edu (John\nDoe)', addresses: [['John Doe', 'jdoe@gemini.edu']] },
];

const rejectedCases: Case[] = [
  { field: 'N/A', addresses: [], rejected: ['N/A'] },
  { field: 'none', addresses: [], rejected: ['none'] },
  { field: 'TBD', addresses: [], rejected: ['TBD'] },
  { field: '-', addresses: [], rejected: ['-'] },
  { field: 'Data Manager', addresses: [], rejected: ['Data Manager'] },
  { field: 'n/a, jdoe@gemini.edu', addresses: [JDOE], rejected: ['n/a'] },
  { field: 'TBD, John Doe <jdoe@gemini.edu>', addresses: [['John Doe', 'jdoe@gemini.edu']], rejected: ['TBD'] },
  { field: 'Doe, jdoe@gemini.edu', addresses: [JDOE], rejected: ['Doe'] },
  { field: 'jdoe@gemini.edu John Doe', addresses: [JDOE], rejected: ['John Doe'] },
  { field: 'jdoe@@gemini.edu', addresses: [], rejected: ['jdoe@@gemini.edu'] },
  { field: 'jdoe@gemini', addresses: [], rejected: ['jdoe@gemini'] },
  { field: 'jdoe at gemini dot edu', addresses: [], rejected: ['jdoe at gemini dot edu'] },
  { field: '@gemini.edu, jdoe@', addresses: [], rejected: ['@gemini.edu', 'jdoe@'] },
  { field: 'jdoe@gemini..edu', addresses: [], rejected: ['jdoe@gemini..edu'] },
  { field: 'jdoe@gemini.edu/asmith@noirlab.edu', addresses: [], rejected: ['jdoe@gemini.edu/asmith@noirlab.edu'] },
  { field: 'jdoe@-gemini.edu', addresses: [], rejected: ['jdoe@-gemini.edu'] },
  { field: 'jdoe@gemini.e', addresses: [], rejected: ['jdoe@gemini.e'] },
  { field: 'jdoe@192.168.1.1', addresses: [], rejected: ['jdoe@192.168.1.1'] },
  { field: 'jdoe@[192.168.1.1]', addresses: [], rejected: ['jdoe@[192.168.1.1]'] },
  { field: 'jo*hn@gemini.edu', addresses: [], rejected: ['jo*hn@gemini.edu'] },
  { field: '.jdoe@gemini.edu john..doe@gemini.edu', addresses: [], rejected: ['.jdoe@gemini.edu', 'john..doe@gemini.edu'] },
  { field: 'Pepe <pepé@uni.es>', addresses: [], rejected: ['Pepe <pepé@uni.es>'] },
  { field: 'John Doe <>', addresses: [], rejected: ['John Doe <>'] },
  { field: 'x@evil.example/mail.corp.example', addresses: [], rejected: ['x@evil.example/mail.corp.example'] },
  { field: 'jdoe@gemini.edu%0d%0aBcc:x@evil.com', addresses: [], rejected: ['jdoe@gemini.edu%0d%0aBcc:x@evil.com'] },
  {
    field: 'Doe, John <jdoe@gemini.edu>;\n N/A;  asmith@noirlab\n',
    addresses: [['Doe, John', 'jdoe@gemini.edu']],
    rejected: ['N/A', 'asmith@noirlab'],
  },
];

const table = [...fitsStorageCases, ...separatorCases, ...formCases, ...caseAndRepeatCases, ...injectionCases, ...rejectedCases];

describe('parseAddresses', () => {
  it.each(table.map((c) => [JSON.stringify(c.field), c] as const))('%s', (_title, { field, addresses, rejected = [] }) => {
    expect(parseAddresses(field)).toEqual({ addresses: addresses.map(([name, address]) => ({ name, address })), rejected });
  });

  it('has exactly the shape `addresses --json` prints', () => {
    expect(JSON.stringify(parseAddresses('Doe, John <jdoe@gemini.edu>, N/A'))).toBe(
      '{"addresses":[{"name":"Doe, John","address":"jdoe@gemini.edu"}],"rejected":["N/A"]}',
    );
  });
});

interface Entry {
  address: string;
  name: string | null;
  text: string;
}

const localPart = fc
  .array(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_+'-]{0,7}$/), { minLength: 1, maxLength: 3 })
  .map((segments) => segments.join('.'));
/** `--` in the third and fourth places is reserved for `xn--` labels, which must then be valid punycode. */
const asciiLabel = fc.stringMatching(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,8}[A-Za-z0-9])?$/).filter((l) => l.slice(2, 4) !== '--');
const label = fc.oneof(asciiLabel, fc.constantFrom('müller', 'señal', '天文'));
const domain = fc
  .tuple(fc.array(label, { minLength: 1, maxLength: 3 }), fc.stringMatching(/^[A-Za-z]{2,6}$/))
  .map(([labels, top]) => [...labels, top].join('.'));
const address = fc.tuple(localPart, domain).map(([local, host]) => `${local}@${host}`);
const nameWord = fc.constantFrom(
  'John',
  'Ann',
  'Doe',
  'José',
  'Müller',
  "O'Brien",
  'van',
  'der',
  'Li',
  'Nguyễn',
  'Zoë',
  'Dr.',
  'Smith-Jones',
  '李',
);
const name = fc.array(nameWord, { minLength: 1, maxLength: 3 }).map((words) => words.join(' '));

/** Every way docs/commands.md#email-fields lists to write one person, with the name each must yield. */
const entry: fc.Arbitrary<Entry> = fc.oneof(
  address.map((a) => ({ address: a, name: null, text: a })),
  address.map((a) => ({ address: a, name: null, text: `<${a}>` })),
  address.map((a) => ({ address: a, name: null, text: `mailto:${a}` })),
  address.map((a) => ({ address: a, name: null, text: `${a}.` })),
  fc.tuple(address, name).map(([a, n]) => ({ address: a, name: n, text: `${n} <${a}>` })),
  fc.tuple(address, name).map(([a, n]) => ({ address: a, name: n, text: `${n} ${a}` })),
  fc.tuple(address, name).map(([a, n]) => ({ address: a, name: n, text: `${a} (${n})` })),
  fc.tuple(address, name, name).map(([a, last, first]) => ({ address: a, name: `${last}, ${first}`, text: `"${last}, ${first}" <${a}>` })),
  fc.tuple(address, name, name).map(([a, last, first]) => ({ address: a, name: `${last}, ${first}`, text: `${last}, ${first} <${a}>` })),
);
const separator = fc.constantFrom(',', ';', ' ', '\t', '\n', '\r\n', '\u00a0', '\u2003', ', ', ' ; ', ',\n', '  ', ' and ', ' / ', ' & ');

describe('parseAddresses, property', () => {
  it('any mix of valid addresses, names and separators yields exactly the addresses put in', () => {
    const field = fc.uniqueArray(entry, { minLength: 1, maxLength: 6, selector: (e) => e.address.toLowerCase() }).chain((entries) =>
      fc.array(separator, { minLength: entries.length + 1, maxLength: entries.length + 1 }).map((separators) => ({
        entries,
        text: separators.map((s, at) => `${s}${entries[at]?.text ?? ''}`).join(''),
      })),
    );
    fc.assert(
      fc.property(field, ({ entries, text }) => {
        expect(parseAddresses(text)).toEqual({ addresses: entries.map((e) => ({ name: e.name, address: e.address })), rejected: [] });
      }),
      { numRuns: 2000 },
    );
  });

  it('whatever is typed, every address is valid, unique, and no name holds a control character', () => {
    const typed = fc.string({
      unit: fc.constantFrom(
        'a',
        'B',
        '.',
        '@',
        ',',
        ';',
        ' ',
        '\n',
        '\r',
        '"',
        "'",
        '<',
        '>',
        '(',
        ')',
        '\\',
        ':',
        '\u0000',
        '\u00a0',
        'é',
        'x.org',
      ),
    });
    fc.assert(
      fc.property(typed, (text) => {
        const { addresses } = parseAddresses(text);
        for (const { name, address } of addresses) {
          expect(parseEmailAddress(address)).toBe(address);
          expect(name ?? '').not.toMatch(/[\p{Cc}\u2028\u2029]/u);
        }
        expect(new Set(addresses.map((a) => a.address.toLowerCase())).size).toBe(addresses.length);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('a field of junk', () => {
  // Each would take minutes if every opener were searched to the end of the field for its closer.
  it.each([
    ['a megabyte of unclosed comments', '('.repeat(1_000_000)],
    ['a megabyte of escaped quotes', '"\\'.repeat(500_000)],
    ['a megabyte of unclosed angle brackets', '<x '.repeat(333_333)],
  ])('%s still yields the real address after it', (_what, junk) => {
    expect(parseAddresses(`${junk}, jane@uni.edu`).addresses.map((a) => a.address)).toEqual(['jane@uni.edu']);
  });

  it('a quoted name or comment of a normal length still reads whole', () => {
    const name = 'Doe, '.repeat(30).trim();
    expect(parseAddresses(`"${name}" <jane@uni.edu>`).addresses).toEqual([{ name, address: 'jane@uni.edu' }]);
  });
});
