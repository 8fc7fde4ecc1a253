// Spark DDL column lists (`StructType.fromDDL`, Spark SQL's `colType` grammar: name, data type,
// optional NOT NULL and COMMENT '...') → Arrow Schema, mapped as Spark's own Arrow conversion does
// (ArrowUtils.toArrowType: timestamp → Timestamp(us, UTC), timestamp_ntz → Timestamp(us), date → Date32).
// Nested types (array, map, struct) are refused: no source here produces them.
import { Binary, Bool, DataType, DateDay, Decimal, Field, Float32, Float64, Int16, Int32, Int64, Int8, Schema, TimestampMicrosecond, Type, Utf8 } from 'apache-arrow';
import { invalidArgument } from '../errors.ts';

/** Spark's default precision and scale for a bare `decimal` (DecimalType.USER_DEFAULT). */
const DEFAULT_DECIMAL_PRECISION = 10;
const DEFAULT_DECIMAL_SCALE = 0;
/** Spark's DecimalType.MAX_PRECISION; Arrow's Decimal128 holds as much. */
const MAX_DECIMAL_PRECISION = 38;
const DECIMAL_BIT_WIDTH = 128;
/** Spark's session time zone is not known here; Spark itself writes UTC instants to Arrow. */
const SPARK_ARROW_TIME_ZONE = 'UTC';
/** Field metadata key that carries a column's COMMENT, as Spark keeps it in StructField metadata. */
export const COMMENT_METADATA_KEY = 'comment';

type Token = { kind: 'word' | 'quoted-name' | 'string' | 'number' | 'punct'; text: string; at: number };

const SIMPLE_TYPES: Record<string, () => DataType> = {
  string: () => new Utf8(),
  boolean: () => new Bool(),
  tinyint: () => new Int8(),
  byte: () => new Int8(),
  smallint: () => new Int16(),
  short: () => new Int16(),
  int: () => new Int32(),
  integer: () => new Int32(),
  bigint: () => new Int64(),
  long: () => new Int64(),
  float: () => new Float32(),
  real: () => new Float32(),
  double: () => new Float64(),
  date: () => new DateDay(),
  timestamp: () => new TimestampMicrosecond(SPARK_ARROW_TIME_ZONE),
  timestamp_ltz: () => new TimestampMicrosecond(SPARK_ARROW_TIME_ZONE),
  timestamp_ntz: () => new TimestampMicrosecond(),
  binary: () => new Binary(),
};
/** Types written with a length that Spark reads as a string (`varchar(20)`, `char(3)`). */
const LENGTH_STRING_TYPES = new Set(['varchar', 'char', 'character']);
const DECIMAL_TYPES = new Set(['decimal', 'dec', 'numeric']);
const NESTED_TYPES = new Set(['array', 'map', 'struct']);

/** Every type word `parseDdl` accepts, for error messages and docs. */
export const SUPPORTED_DDL_TYPES = [...Object.keys(SIMPLE_TYPES), 'varchar(n)', 'char(n)', 'decimal(p,s)'];

function tokenize(ddl: string, what: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < ddl.length) {
    const c = ddl[i];
    if (/\s/.test(c)) { i++; continue; }
    const at = i;
    if (c === '`') {
      let name = '';
      for (i++; ; i++) {
        if (i >= ddl.length) throw invalidArgument(`${what}: unclosed backquote in ${JSON.stringify(ddl.slice(at))}`);
        if (ddl[i] === '`') {
          if (ddl[i + 1] !== '`') break;
          i++; // a doubled backquote is a literal backquote
        }
        name += ddl[i];
      }
      tokens.push({ kind: 'quoted-name', text: name, at });
      i++;
    } else if (c === "'" || c === '"') {
      let text = '';
      for (i++; ddl[i] !== c; i++) {
        if (i >= ddl.length) throw invalidArgument(`${what}: unclosed string in ${JSON.stringify(ddl.slice(at))}`);
        if (ddl[i] === '\\' && i + 1 < ddl.length) i++;
        text += ddl[i];
      }
      tokens.push({ kind: 'string', text, at });
      i++;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(ddl.slice(i))!;
      tokens.push({ kind: 'word', text: m[0], at });
      i += m[0].length;
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9]+/.exec(ddl.slice(i))!;
      tokens.push({ kind: 'number', text: m[0], at });
      i += m[0].length;
    } else if ('(),:<>'.includes(c)) {
      tokens.push({ kind: 'punct', text: c, at });
      i++;
    } else {
      throw invalidArgument(`${what}: unexpected character '${c}' at ${JSON.stringify(ddl.slice(at, at + 20))}`);
    }
  }
  return tokens;
}

class DdlParser {
  private pos = 0;
  constructor(private readonly ddl: string, private readonly tokens: Token[], private readonly what: string) {}

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private fail(message: string, token = this.peek()): never {
    const near = token ? ` at ${JSON.stringify(this.ddl.slice(token.at, token.at + 30))}` : ' at the end';
    throw invalidArgument(`${this.what}: ${message}${near}`);
  }

  private isWord(word: string, token = this.peek()): boolean {
    return token?.kind === 'word' && token.text.toLowerCase() === word;
  }

  private expectPunct(p: string): void {
    const t = this.peek();
    if (t?.kind !== 'punct' || t.text !== p) this.fail(`expected '${p}'`);
    this.pos++;
  }

  private expectInt(what: string): number {
    const t = this.peek();
    if (t?.kind !== 'number') this.fail(`expected ${what}`);
    this.pos++;
    return Number(t.text);
  }

  parseColumns(): Field[] {
    if (this.tokens.length === 0) this.fail('no columns');
    const fields: Field[] = [];
    for (;;) {
      fields.push(this.parseColumn());
      const t = this.peek();
      if (t === undefined) return fields;
      if (t.kind === 'punct' && t.text === ',') { this.pos++; continue; }
      this.fail(`expected ',' or the end after column '${fields[fields.length - 1].name}'`);
    }
  }

  private parseColumn(): Field {
    const nameToken = this.peek();
    if (nameToken?.kind !== 'word' && nameToken?.kind !== 'quoted-name') this.fail('expected a column name');
    this.pos++;
    const name = nameToken.text;
    if (name === '') this.fail('empty column name', nameToken);
    if (this.peek()?.kind === 'punct' && this.peek()!.text === ':') this.pos++; // `name: type`, as inside STRUCT<...>
    const type = this.parseType(name);
    let nullable = true;
    let comment: string | undefined;
    for (;;) {
      if (this.isWord('not')) {
        this.pos++;
        if (!this.isWord('null')) this.fail(`expected NULL after NOT for column '${name}'`);
        this.pos++;
        nullable = false;
      } else if (this.isWord('comment')) {
        this.pos++;
        const s = this.peek();
        if (s?.kind !== 'string') this.fail(`expected a quoted string after COMMENT for column '${name}'`);
        this.pos++;
        comment = s.text;
        // Adjacent literals concatenate, as in Spark SQL ('a' 'b' is 'ab').
        for (let next = this.peek(); next?.kind === 'string'; next = this.peek()) {
          comment += next.text;
          this.pos++;
        }
      } else {
        break;
      }
    }
    const metadata = comment === undefined ? undefined : new Map([[COMMENT_METADATA_KEY, comment]]);
    return new Field(name, type, nullable, metadata);
  }

  private parseType(column: string): DataType {
    const t = this.peek();
    if (t?.kind !== 'word') this.fail(`expected a data type for column '${column}'`);
    const word = t.text.toLowerCase();
    this.pos++;
    const simple = SIMPLE_TYPES[word];
    if (simple) return simple();
    if (LENGTH_STRING_TYPES.has(word)) {
      this.expectPunct('(');
      this.expectInt(`a length for ${word}`);
      this.expectPunct(')');
      return new Utf8();
    }
    if (DECIMAL_TYPES.has(word)) return this.parseDecimal(column);
    if (NESTED_TYPES.has(word)) this.fail(`nested type '${t.text}' of column '${column}' is not supported`, t);
    return this.fail(`unknown data type '${t.text}' for column '${column}'; supported: ${SUPPORTED_DDL_TYPES.join(', ')}`, t);
  }

  private parseDecimal(column: string): DataType {
    let precision = DEFAULT_DECIMAL_PRECISION;
    let scale = DEFAULT_DECIMAL_SCALE;
    const open = this.peek();
    if (open?.kind === 'punct' && open.text === '(') {
      this.pos++;
      precision = this.expectInt('a decimal precision');
      scale = 0;
      if (this.peek()?.kind === 'punct' && this.peek()!.text === ',') {
        this.pos++;
        scale = this.expectInt('a decimal scale');
      }
      this.expectPunct(')');
    }
    if (precision < 1 || precision > MAX_DECIMAL_PRECISION || scale > precision) {
      this.fail(`decimal(${precision},${scale}) of column '${column}' needs 1 <= precision <= ${MAX_DECIMAL_PRECISION} and scale <= precision`, open);
    }
    return new Decimal(scale, precision, DECIMAL_BIT_WIDTH);
  }
}

/**
 * Parse a Spark DDL column list (`"name string, age int NOT NULL COMMENT 'years'"`) into an
 * Arrow Schema. `what` names the option in error messages (INVALID_ARGUMENT naming the bad part).
 */
export function parseDdl(ddl: string, what = 'schema'): Schema {
  const fields = new DdlParser(ddl, tokenize(ddl, what), what).parseColumns();
  const seen = new Set<string>();
  for (const f of fields) {
    // Spark resolves columns case-insensitively by default, so `a` and `A` clash.
    const key = f.name.toLowerCase();
    if (seen.has(key)) throw invalidArgument(`${what}: duplicate column '${f.name}'`);
    seen.add(key);
  }
  return new Schema(fields);
}

/** The Spark DDL name of an Arrow type produced by `parseDdl` (and the few close relatives). */
export function sparkTypeName(type: DataType): string {
  switch (type.typeId) {
    case Type.Utf8: case Type.LargeUtf8: return 'string';
    case Type.Bool: return 'boolean';
    case Type.Int: {
      const bits: number = (type as Int32).bitWidth;
      return bits === 8 ? 'tinyint' : bits === 16 ? 'smallint' : bits === 32 ? 'int' : 'bigint';
    }
    case Type.Float: return (type as Float32).precision === 1 ? 'float' : 'double';
    case Type.Date: return 'date';
    case Type.Timestamp: return (type as TimestampMicrosecond).timezone ? 'timestamp' : 'timestamp_ntz';
    case Type.Binary: case Type.LargeBinary: return 'binary';
    case Type.Decimal: return `decimal(${(type as Decimal).precision},${(type as Decimal).scale})`;
    default: throw invalidArgument(`Arrow type ${type} has no Spark DDL equivalent here`);
  }
}

/** Schema → Spark DDL (backquoted names, NOT NULL, COMMENT), the inverse of `parseDdl`. */
export function toDdl(schema: Schema): string {
  return schema.fields.map((f) => {
    const comment = f.metadata.get(COMMENT_METADATA_KEY);
    const parts = ['`' + f.name.replaceAll('`', '``') + '`', sparkTypeName(f.type)];
    if (!f.nullable) parts.push('NOT NULL');
    if (comment !== undefined) parts.push(`COMMENT '${comment.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`);
    return parts.join(' ');
  }).join(', ');
}
