// Value generators for the `fake` source. String columns are chosen by field name the way the
// reference Spark "fake" data source calls Python Faker's provider methods (`faker.<name>()`),
// served here by @faker-js/faker with the en_US locale; formats follow Python Faker's en_US output.
// Faker fills per-partition pools (fake-strings.ts `pool`); composite values (a name, an address)
// join picks from several pools, and digit/hex patterns, dates and times come from the PRNG.
import type { Faker } from '@faker-js/faker';
// The en_US entry point only: the package root loads every locale (~14 MB more live heap, which
// every mark-compact of the server then walks; measured while profiling issue 7's DoGet figure).
import { faker as fakerEnUs } from '@faker-js/faker/locale/en_US';
import { type Part, clock, computed, isoDay, lit, oneOf, pattern, pool, seq, yearOf } from './fake-strings.ts';

/** Reference date for relative dates (birthdays, `date()` ranges), fixed so seeds reproduce. */
export const FAKE_REFERENCE_DATE = Date.UTC(2025, 0, 1);
/** Python Faker's `date()` / `date_time()` range from the Unix epoch up to "now". */
const EPOCH = Date.UTC(1970, 0, 1);
/** Python Faker's `date_of_birth()` default: ages 0 to 115. */
const OLDEST_BIRTH = Date.UTC(2025 - 116, 0, 2);
/** Python Faker's latitude/longitude: four decimals (faker-js `fractionDigits: 4`). */
const COORDINATE_SCALE = 10_000;
const [MAX_LATITUDE, MAX_LONGITUDE] = [90, 180];
const OCTETS = 256;
const HASH_HEX_DIGITS = { md5: 32, sha1: 40, sha256: 64 } as const;
const MSISDN_DIGITS = 13;
const MONTHS = Array.from({ length: 12 }, (_, i) => String(i + 1).padStart(2, '0'));

const firstName = pool((f) => f.person.firstName());
const lastName = pool((f) => f.person.lastName());
const stateAbbr = pool((f) => f.location.state({ abbreviated: true }));
const zip5 = pattern('#####');
const anyDay = isoDay(EPOCH, FAKE_REFERENCE_DATE);
const coordinate = (max: number) => computed((p) => String(p.int(-max * COORDINATE_SCALE, max * COORDINATE_SCALE + 1) / COORDINATE_SCALE));
const hexDigits = (n: number) => pattern('x'.repeat(n));

/** Python Faker provider method name → how its values are made. Aliases share a generator. */
export const STRING_GENERATORS: Readonly<Record<string, Part>> = {
  // person: Python Faker's en_US `name()` is mostly "First Last"
  name: seq(firstName, lit(' '), lastName),
  first_name: firstName,
  last_name: lastName,
  name_male: seq(pool((f) => f.person.firstName('male')), lit(' '), lastName),
  name_female: seq(pool((f) => f.person.firstName('female')), lit(' '), lastName),
  first_name_male: pool((f) => f.person.firstName('male')),
  first_name_female: pool((f) => f.person.firstName('female')),
  prefix: pool((f) => f.person.prefix()),
  suffix: pool((f) => f.person.suffix()),
  job: pool((f) => f.person.jobTitle()),
  ssn: pattern('###-##-####'),
  date_of_birth: isoDay(OLDEST_BIRTH, FAKE_REFERENCE_DATE),
  // address: Python Faker's en_US `address()` is "street line\nCity, ST 12345"
  address: seq(pool((f) => f.location.streetAddress()), lit('\n'), pool((f) => f.location.city()), lit(', '), stateAbbr, lit(' '), zip5),
  street_address: pool((f) => f.location.streetAddress()),
  street_name: pool((f) => f.location.street()),
  building_number: pool((f) => f.location.buildingNumber()),
  secondary_address: pool((f) => f.location.secondaryAddress()),
  city: pool((f) => f.location.city()),
  state: pool((f) => f.location.state()),
  state_abbr: stateAbbr,
  zipcode: zip5,
  postcode: zip5,
  zipcode_plus4: pattern('#####-####'),
  country: pool((f) => f.location.country()),
  country_code: pool((f) => f.location.countryCode()),
  latitude: coordinate(MAX_LATITUDE),
  longitude: coordinate(MAX_LONGITUDE),
  // dates and times, as Python Faker's ISO-like strings
  date: anyDay,
  date_time: seq(anyDay, lit(' '), clock),
  iso8601: seq(anyDay, lit('T'), clock),
  time: clock,
  year: yearOf(EPOCH, FAKE_REFERENCE_DATE),
  month: oneOf(MONTHS),
  month_name: pool((f) => f.date.month()),
  day_of_week: pool((f) => f.date.weekday()),
  // internet
  email: pool((f) => f.internet.email()),
  safe_email: pool((f) => f.internet.exampleEmail()),
  free_email: pool((f) => f.internet.email({ provider: f.helpers.arrayElement(['gmail.com', 'yahoo.com', 'hotmail.com']) })),
  company_email: pool((f) => f.internet.email({ provider: f.internet.domainName() })),
  user_name: pool((f) => f.internet.username()),
  password: pool((f) => f.internet.password()),
  url: pool((f) => f.internet.url()),
  domain_name: pool((f) => f.internet.domainName()),
  ipv4: computed((p) => `${p.below(OCTETS)}.${p.below(OCTETS)}.${p.below(OCTETS)}.${p.below(OCTETS)}`),
  ipv6: pattern('xxxx:xxxx:xxxx:xxxx:xxxx:xxxx:xxxx:xxxx'),
  mac_address: pattern('xx:xx:xx:xx:xx:xx'),
  user_agent: pool((f) => f.internet.userAgent()),
  // phone, company, finance (en_US national phone format: area and exchange codes start 2-9)
  phone_number: pattern('(!##) !##-####'),
  msisdn: pattern('#'.repeat(MSISDN_DIGITS)),
  company: pool((f) => f.company.name()),
  catch_phrase: pool((f) => f.company.catchPhrase()),
  bs: pool((f) => f.company.buzzPhrase()),
  credit_card_number: pool((f) => f.finance.creditCardNumber()),
  iban: pool((f) => f.finance.iban()),
  currency_code: pool((f) => f.finance.currencyCode()),
  isbn13: pool((f) => f.commerce.isbn(13)),
  license_plate: pool((f) => f.vehicle.vrm()),
  // text and identifiers
  text: pool((f) => f.lorem.paragraph()),
  paragraph: pool((f) => f.lorem.paragraph()),
  sentence: pool((f) => f.lorem.sentence()),
  word: pool((f) => f.lorem.word()),
  uuid4: pattern('xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx'),
  md5: hexDigits(HASH_HEX_DIGITS.md5),
  sha1: hexDigits(HASH_HEX_DIGITS.sha1),
  sha256: hexDigits(HASH_HEX_DIGITS.sha256),
  color_name: pool((f) => f.color.human()),
  hex_color: pool((f) => f.color.rgb()),
  file_name: pool((f) => f.system.fileName()),
  mime_type: pool((f) => f.system.mimeType()),
};

/** The supported string field names, sorted, for error messages and docs. */
export const SUPPORTED_STRING_FIELDS: readonly string[] = Object.keys(STRING_GENERATORS).sort();

/** A Faker (en_US) whose whole output is fixed by `seed`. */
export function seededFaker(seed: number): Faker {
  // A fresh instance per column: same class and merged en_US + en + base definitions as fakerEnUs.
  const f = new (fakerEnUs.constructor as typeof Faker)({ locale: fakerEnUs.rawDefinitions });
  f.seed(seed);
  f.setDefaultRefDate(FAKE_REFERENCE_DATE);
  return f;
}

/** Generator for a string field's name (case-insensitive, as Spark column names), or undefined. */
export function stringGenerator(fieldName: string): Part | undefined {
  const key = fieldName.toLowerCase();
  return Object.hasOwn(STRING_GENERATORS, key) ? STRING_GENERATORS[key] : undefined;
}
