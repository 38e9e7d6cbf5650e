// The scalars every subgraph shares, defined once (DateTime, Date, JSON).
import { GraphQLScalarType, Kind, valueFromASTUntyped } from 'graphql';
import { badInput } from './errors.js';

/** `DateTime`: an instant, ISO 8601 in UTC (2026-11-27T10:00:00.000Z). */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'An instant, ISO 8601 in UTC (2026-11-27T10:00:00.000Z).',
  serialize(value) {
    const date = value instanceof Date ? value : new Date(String(value));
    if (Number.isNaN(date.getTime())) throw new TypeError('DateTime cannot represent an invalid date');
    return date.toISOString();
  },
  parseValue(value) {
    const date = typeof value === 'string' ? new Date(value) : null;
    if (!date || Number.isNaN(date.getTime())) throw badInput('A DateTime is an ISO 8601 string, e.g. 2026-11-27T10:00:00Z.', []);
    return date;
  },
  parseLiteral(ast) {
    const date = ast.kind === Kind.STRING ? new Date(ast.value) : null;
    if (!date || Number.isNaN(date.getTime())) throw badInput('A DateTime is an ISO 8601 string, e.g. 2026-11-27T10:00:00Z.', []);
    return date;
  },
});

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar date written YYYY-MM-DD, or null. */
export function parseCalendarDate(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const match = DATE_PATTERN.exec(value);
  if (!match) return null;
  const date = new Date(`${value}T00:00:00.000Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value ? value : null;
}

const DATE_HINT = 'A Date is written YYYY-MM-DD, e.g. 1984-03-21.';

/**
 * `Date`: a calendar date, YYYY-MM-DD. Inputs arrive in the resolvers as that string; the database
 * holds a DATE, which Prisma returns as a Date at UTC midnight.
 */
export const DateScalar = new GraphQLScalarType<string, string>({
  name: 'Date',
  description: 'A calendar date, YYYY-MM-DD (ISO 8601).',
  serialize(value) {
    if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString().slice(0, 10);
    const parsed = parseCalendarDate(value);
    if (parsed === null) throw new TypeError(`Date cannot represent ${String(value)}`);
    return parsed;
  },
  parseValue(value) {
    const parsed = parseCalendarDate(value);
    if (parsed === null) throw badInput(`${JSON.stringify(value)} is not a date. ${DATE_HINT}`, []);
    return parsed;
  },
  parseLiteral(ast) {
    const parsed = ast.kind === Kind.STRING ? parseCalendarDate(ast.value) : null;
    if (parsed === null) throw badInput(`Not a date. ${DATE_HINT}`, []);
    return parsed;
  },
});

/** `JSON`: any JSON value, passed through as it is (template answers). */
export const JSONScalar = new GraphQLScalarType<unknown, unknown>({
  name: 'JSON',
  description: 'Any JSON value.',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (ast, variables) => valueFromASTUntyped(ast, variables),
});
