import { GraphQLError, GraphQLScalarType, Kind, valueFromASTUntyped } from 'graphql';

function toDate(value: unknown): Date | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
  if (typeof value === 'string' || typeof value === 'number') {
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? null : date;
  }
  return null;
}

const DATE_HELP = 'DateTime: send an ISO-8601 string such as 2026-11-27T09:30:00Z';

/** `DateTime`: an ISO-8601 instant in UTC (`2026-11-27T09:30:00.000Z`). */
export const DateTimeScalar = new GraphQLScalarType({
  name: 'DateTime',
  description: 'An ISO-8601 instant, e.g. 2026-11-27T09:30:00.000Z',
  serialize(value) {
    const date = toDate(value);
    if (!date) throw new GraphQLError(`DateTime cannot represent ${String(value)}`);
    return date.toISOString();
  },
  parseValue(value) {
    const date = typeof value === 'string' ? toDate(value) : null;
    if (!date) throw new GraphQLError(DATE_HELP, { extensions: { code: 'BAD_USER_INPUT' } });
    return date;
  },
  parseLiteral(ast) {
    const date = ast.kind === Kind.STRING ? toDate(ast.value) : null;
    if (!date) throw new GraphQLError(DATE_HELP, { extensions: { code: 'BAD_USER_INPUT' } });
    return date;
  },
});

/** `JSON`: any JSON value, passed through as is. */
export const JsonScalar = new GraphQLScalarType({
  name: 'JSON',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (ast, variables) => valueFromASTUntyped(ast, variables),
});
