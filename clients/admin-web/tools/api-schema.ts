import {
  buildASTSchema,
  Kind,
  parse,
  printSchema,
  type ASTNode,
  type ConstDirectiveNode,
  type DefinitionNode,
  type DirectiveNode,
  type DocumentNode,
} from 'graphql';

const hidden = (node: { directives?: readonly (ConstDirectiveNode | DirectiveNode)[] }) =>
  (node.directives ?? []).some((d) => d.name.value === 'inaccessible');

/**
 * The public API schema from the composed supergraph: what the gateway serves once `@inaccessible`
 * elements and the federation plumbing (join__, link__) are removed. The playground is given this
 * schema, so it has docs and completion offline and in production, where the gateway answers no
 * introspection.
 */
export function apiSchemaSdl(supergraphSdl: string): string {
  const document = parse(supergraphSdl, { noLocation: true });
  const plumbing = (name: string) => name.startsWith('join__') || name.startsWith('link__');
  const strip = <T extends ASTNode>(node: T): T => {
    const copy: Record<string, unknown> = { ...node };
    if ('directives' in copy) copy.directives = [];
    if (Array.isArray(copy.fields)) copy.fields = (copy.fields as any[]).filter((f) => !hidden(f)).map(strip);
    if (Array.isArray(copy.values)) copy.values = (copy.values as any[]).filter((v) => !hidden(v)).map(strip);
    if (Array.isArray(copy.arguments)) copy.arguments = (copy.arguments as any[]).filter((a) => !hidden(a)).map(strip);
    if (Array.isArray(copy.interfaces)) copy.interfaces = (copy.interfaces as any[]).filter((i) => !plumbing(i.name.value));
    return copy as T;
  };
  const definitions: DefinitionNode[] = [];
  for (const definition of document.definitions) {
    if (definition.kind === Kind.DIRECTIVE_DEFINITION) continue;
    if (definition.kind === Kind.SCHEMA_DEFINITION) {
      definitions.push(strip(definition));
      continue;
    }
    if ('name' in definition && definition.name && plumbing(definition.name.value)) continue;
    if ('directives' in definition && hidden(definition)) continue;
    definitions.push(strip(definition));
  }
  const api: DocumentNode = { kind: Kind.DOCUMENT, definitions };
  return printSchema(buildASTSchema(api));
}

