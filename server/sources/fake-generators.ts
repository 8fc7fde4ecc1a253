// Value generators for the `fake` source. String columns are chosen by field name the way the
// reference Spark "fake" data source calls Python Faker's provider methods (`faker.<name>()`),
// served here by @faker-js/faker with the en_US locale; formats follow Python Faker's en_US output.
import { Faker, base, en, en_US } from '@faker-js/faker';

/** Reference date for relative dates (birthdays, `date()` ranges), fixed so seeds reproduce. */
export const FAKE_REFERENCE_DATE = Date.UTC(2025, 0, 1);
/** Python Faker's `date()` / `date_time()` range from the Unix epoch up to "now". */
const EPOCH = Date.UTC(1970, 0, 1);
const HASH_LENGTHS = { md5: 32, sha1: 40, sha256: 64 } as const;

export type StringGenerator = (f: Faker) => string;

const pad2 = (n: number) => String(n).padStart(2, '0');
const isoDate = (d: Date) => d.toISOString().slice(0, 10);
const isoDateTime = (d: Date) => d.toISOString().slice(0, 19).replace('T', ' ');
const anyDate = (f: Faker) => f.date.between({ from: EPOCH, to: FAKE_REFERENCE_DATE });
const hex = (length: number): StringGenerator => (f) => f.string.hexadecimal({ length, casing: 'lower', prefix: '' });

/** Python Faker's en_US `name()` is mostly "First Last" (faker-js fullName adds more titles and is slower). */
function fullName(f: Faker): string {
  return `${f.person.firstName()} ${f.person.lastName()}`;
}

/** Python Faker's en_US `address()`: street line, newline, "City, ST 12345". */
function address(f: Faker): string {
  return `${f.location.streetAddress()}\n${f.location.city()}, ${f.location.state({ abbreviated: true })} ${f.location.zipCode('#####')}`;
}

/** Python Faker provider method name → generator. Aliases share a generator. */
export const STRING_GENERATORS: Readonly<Record<string, StringGenerator>> = {
  // person
  name: fullName,
  first_name: (f) => f.person.firstName(),
  last_name: (f) => f.person.lastName(),
  name_male: (f) => `${f.person.firstName('male')} ${f.person.lastName()}`,
  name_female: (f) => `${f.person.firstName('female')} ${f.person.lastName()}`,
  first_name_male: (f) => f.person.firstName('male'),
  first_name_female: (f) => f.person.firstName('female'),
  prefix: (f) => f.person.prefix(),
  suffix: (f) => f.person.suffix(),
  job: (f) => f.person.jobTitle(),
  ssn: (f) => f.helpers.replaceSymbols('###-##-####'),
  date_of_birth: (f) => isoDate(f.date.birthdate({ mode: 'age', min: 0, max: 115, refDate: FAKE_REFERENCE_DATE })),
  // address
  address,
  street_address: (f) => f.location.streetAddress(),
  street_name: (f) => f.location.street(),
  building_number: (f) => f.location.buildingNumber(),
  secondary_address: (f) => f.location.secondaryAddress(),
  city: (f) => f.location.city(),
  state: (f) => f.location.state(),
  state_abbr: (f) => f.location.state({ abbreviated: true }),
  zipcode: (f) => f.location.zipCode('#####'),
  postcode: (f) => f.location.zipCode('#####'),
  zipcode_plus4: (f) => f.location.zipCode('#####-####'),
  country: (f) => f.location.country(),
  country_code: (f) => f.location.countryCode(),
  latitude: (f) => String(f.location.latitude()),
  longitude: (f) => String(f.location.longitude()),
  // dates and times, as Python Faker's ISO-like strings
  date: (f) => isoDate(anyDate(f)),
  date_time: (f) => isoDateTime(anyDate(f)),
  iso8601: (f) => anyDate(f).toISOString().slice(0, 19),
  time: (f) => `${pad2(f.number.int(23))}:${pad2(f.number.int(59))}:${pad2(f.number.int(59))}`,
  year: (f) => String(anyDate(f).getUTCFullYear()),
  month: (f) => pad2(f.number.int({ min: 1, max: 12 })),
  month_name: (f) => f.date.month(),
  day_of_week: (f) => f.date.weekday(),
  // internet
  email: (f) => f.internet.email(),
  safe_email: (f) => f.internet.exampleEmail(),
  free_email: (f) => f.internet.email({ provider: f.helpers.arrayElement(['gmail.com', 'yahoo.com', 'hotmail.com']) }),
  company_email: (f) => f.internet.email({ provider: f.internet.domainName() }),
  user_name: (f) => f.internet.username(),
  password: (f) => f.internet.password(),
  url: (f) => f.internet.url(),
  domain_name: (f) => f.internet.domainName(),
  ipv4: (f) => f.internet.ipv4(),
  ipv6: (f) => f.internet.ipv6(),
  mac_address: (f) => f.internet.mac(),
  user_agent: (f) => f.internet.userAgent(),
  // phone, company, finance
  phone_number: (f) => f.phone.number({ style: 'national' }),
  msisdn: (f) => f.string.numeric(13),
  company: (f) => f.company.name(),
  catch_phrase: (f) => f.company.catchPhrase(),
  bs: (f) => f.company.buzzPhrase(),
  credit_card_number: (f) => f.finance.creditCardNumber(),
  iban: (f) => f.finance.iban(),
  currency_code: (f) => f.finance.currencyCode(),
  isbn13: (f) => f.commerce.isbn(13),
  license_plate: (f) => f.vehicle.vrm(),
  // text and identifiers
  text: (f) => f.lorem.paragraph(),
  paragraph: (f) => f.lorem.paragraph(),
  sentence: (f) => f.lorem.sentence(),
  word: (f) => f.lorem.word(),
  uuid4: (f) => f.string.uuid(),
  md5: hex(HASH_LENGTHS.md5),
  sha1: hex(HASH_LENGTHS.sha1),
  sha256: hex(HASH_LENGTHS.sha256),
  color_name: (f) => f.color.human(),
  hex_color: (f) => f.color.rgb(),
  file_name: (f) => f.system.fileName(),
  mime_type: (f) => f.system.mimeType(),
};

/** The supported string field names, sorted, for error messages and docs. */
export const SUPPORTED_STRING_FIELDS: readonly string[] = Object.keys(STRING_GENERATORS).sort();

/** A Faker (en_US) whose whole output is fixed by `seed`. */
export function seededFaker(seed: number): Faker {
  const f = new Faker({ locale: [en_US, en, base] });
  f.seed(seed);
  f.setDefaultRefDate(FAKE_REFERENCE_DATE);
  return f;
}

/** Generator for a string field's name (case-insensitive, as Spark column names), or undefined. */
export function stringGenerator(fieldName: string): StringGenerator | undefined {
  const key = fieldName.toLowerCase();
  return Object.hasOwn(STRING_GENERATORS, key) ? STRING_GENERATORS[key] : undefined;
}
