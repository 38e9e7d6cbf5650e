import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import {
  GraphQLError,
  Kind,
  Lexer,
  Source,
  TokenKind,
  TypeInfo,
  validate,
  visit,
  visitWithTypeInfo,
  type ArgumentNode,
  type ASTVisitor,
  type DefinitionNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type SelectionNode,
  type SelectionSetNode,
  type ValidationRule,
} from 'graphql';
import type { GatewayConfig } from './config.js';

/**
 * Query limits (DESIGN.md: depth, aliases, cost, tokens; no batching). graphql-armor's validation
 * rules refuse deep, wide, costly and directive-heavy operations as GRAPHQL_VALIDATION_FAILED
 * (HTTP 400). Its `maxTokens` is not used as is: armor's Apollo plugin throws from
 * `parsingDidStart`, which Apollo answers with HTTP 500 (DESIGN.md, facts). The same limit is
 * enforced here, before the pipeline, as a 400 `BAD_USER_INPUT`; graphql-js's own `maxTokens`
 * parse option backs it up inside Apollo.
 */
export function armorFor<TContext extends BaseContext>(
  config: GatewayConfig,
): { plugins: ApolloServerPlugin<TContext>[]; validationRules: ValidationRule[] } {
  const production = config.NODE_ENV === 'production';
  const armor = new ApolloArmor({
    // a fragment (a spread or inline) is its fields where it is spread, not one level more: an
    // operation costs and nests the same whether the client writes its fields out or shares them
    maxDepth: { n: config.MAX_DEPTH, ignoreIntrospection: true, flattenFragments: true },
    maxAliases: { n: config.MAX_ALIASES },
    // the cost limit runs after variables are known (costWithVariables below), not at validation
    costLimit: { enabled: false },
    maxDirectives: { n: config.MAX_DIRECTIVES },
    maxTokens: { enabled: false },
    // Production hides "Did you mean …" so the schema cannot be guessed field by field.
    blockFieldSuggestion: { enabled: production, mask: '' },
  });
  // armor's typings resolve @apollo/server's CommonJS declarations; the plugins are the same objects.
  const { plugins, validationRules } = armor.protect();
  return {
    plugins: [...(plugins as unknown as ApolloServerPlugin<TContext>[]), costWithVariables<TContext>(config.MAX_COST)],
    validationRules,
  };
}

/**
 * The operation as armor's cost rule should see it: every fragment written out as its fields where
 * it is spread (armor counts a spread, even flattened, as one more object), so an operation costs
 * the same whether its client shares field lists in fragments or writes them out. A fragment on
 * another type than where it is spread (a union's member) stays an inline fragment on that type.
 */
export function writeOutFragments(document: DocumentNode, schema: GraphQLSchema): DocumentNode {
  // most operations have no fragment at all: nothing to rewrite on every request
  if (!mayHaveFragments(document)) return document;
  const fragments = new Map(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
  );
  // 1. every spread becomes an inline fragment on the fragment's type, its own spreads expanded too
  const expand = (set: SelectionSetNode, within: ReadonlySet<string>): SelectionSetNode => ({
    ...set,
    selections: set.selections.map((selection): SelectionNode => {
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        // (validation has refused unknown and cyclic fragments before the cost is estimated)
        if (!fragment || within.has(fragment.name.value)) return selection;
        return {
          kind: Kind.INLINE_FRAGMENT,
          typeCondition: fragment.typeCondition,
          directives: selection.directives ?? [],
          selectionSet: expand(fragment.selectionSet, new Set([...within, fragment.name.value])),
        };
      }
      return selection.selectionSet ? { ...selection, selectionSet: expand(selection.selectionSet, within) } : selection;
    }),
  });
  const expanded: DocumentNode = {
    ...document,
    definitions: document.definitions
      .filter((d) => d.kind !== Kind.FRAGMENT_DEFINITION)
      .map((d): DefinitionNode => (d.kind === Kind.OPERATION_DEFINITION ? { ...d, selectionSet: expand(d.selectionSet, new Set()) } : d)),
  };
  // 2. an inline fragment on the type it sits in (without directives) is just its fields
  const typeInfo = new TypeInfo(schema);
  return visit(
    expanded,
    visitWithTypeInfo(typeInfo, {
      SelectionSet: {
        leave(set) {
          const parent = typeInfo.getParentType()?.name;
          const selections = set.selections.flatMap((selection): readonly SelectionNode[] =>
            selection.kind === Kind.INLINE_FRAGMENT && (!selection.typeCondition || selection.typeCondition.name.value === parent) && !selection.directives?.length
              ? selection.selectionSet.selections
              : [selection],
          );
          return { ...set, selections };
        },
      },
    }),
  );
}

/** False only when the operation surely has no fragment: no definition, and no `...` in its text. */
function mayHaveFragments(document: DocumentNode): boolean {
  if (document.definitions.some((d) => d.kind === Kind.FRAGMENT_DEFINITION)) return true;
  return document.loc ? document.loc.source.body.includes('...') : true;
}

/**
 * Every page costed at its effective size: `first`/`last` given as variables are written into the
 * document as literals, and a list field asked without either gets its schema default written in
 * (`queue` is 500 rows unless told otherwise). armor's cost rule multiplies a list's cost by a
 * literal `first` only: with `first: $n`, or no `first` at all, a big page would cost as one item.
 */
export function inlinePageSizes(document: DocumentNode, variables: Record<string, unknown> | undefined, schema?: GraphQLSchema): DocumentNode {
  const typeInfo = schema ? new TypeInfo(schema) : null;
  const literal = (value: number) => ({ kind: Kind.INT, value: String(value) }) as const;
  const visitor: ASTVisitor = {
    Field(node) {
      const definition = typeInfo?.getFieldDef();
      if (!definition) return undefined;
      const given = new Set((node.arguments ?? []).map((a) => a.name.value));
      if (given.has('first') || given.has('last')) return undefined;
      const first = definition.args.find((a) => a.name === 'first');
      if (typeof first?.defaultValue !== 'number') return undefined;
      const argument: ArgumentNode = { kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: 'first' }, value: literal(first.defaultValue) };
      return { ...node, arguments: [...(node.arguments ?? []), argument] };
    },
    Argument(node) {
      if ((node.name.value !== 'first' && node.name.value !== 'last') || node.value.kind !== Kind.VARIABLE) return undefined;
      const value = variables?.[node.value.name.value];
      if (typeof value !== 'number' || !Number.isInteger(value)) return undefined;
      return { ...node, value: literal(value) };
    },
  };
  return visit(document, typeInfo ? visitWithTypeInfo(typeInfo, visitor) : visitor);
}

/** The estimated cost (graphql-armor's rule and defaults) of the operation with its variables. */
export function costWithVariables<TContext extends BaseContext>(maxCost: number): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, request, schema }) {
          const refusals: string[] = [];
          const rule = costLimitRule({
            maxCost,
            propagateOnRejection: false,
            onReject: [(_context, error) => void refusals.push(error.message)],
          });
          validate(schema, inlinePageSizes(writeOutFragments(document, schema), request.variables, schema), [rule]);
          if (refusals.length > 0) {
            throw new GraphQLError(refusals[0]!, { extensions: { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } } });
          }
        },
      };
    },
  };
}

export function badRequest(message: string, code = 'BAD_USER_INPUT'): GraphQLError {
  return new GraphQLError(message, { extensions: { code, http: { status: 400 } } });
}

/** Counts lexical tokens like graphql-js's parser does, stopping as soon as `limit` is passed. */
export function countTokens(query: string, limit = Number.POSITIVE_INFINITY): number {
  const lexer = new Lexer(new Source(query));
  let count = 0;
  try {
    while (lexer.advance().kind !== TokenKind.EOF) {
      count += 1;
      if (count > limit) break;
    }
  } catch {
    // a lexical error: the parser reports it properly later
  }
  return count;
}

export function checkTokenLimit(query: string, maxTokens: number): void {
  if (countTokens(query, maxTokens) > maxTokens) {
    throw badRequest(
      `Syntax Error: the operation has more than ${maxTokens} tokens (the limit). Send a smaller operation, ` +
        'or split it into several requests.',
    );
  }
}

/** One operation per request, never a JSON array of them. */
export function refuseBatch(body: unknown): void {
  if (Array.isArray(body)) {
    throw badRequest('Batched operations are not accepted: send one operation per request.', 'BAD_REQUEST');
  }
}

const SUGGESTION = /\s*Did you mean[^?]*\?/g;

/** Removes "Did you mean …?" suggestions from an error message (production). */
export function withoutSuggestions(message: string): string {
  return message.replace(SUGGESTION, '').trim();
}
