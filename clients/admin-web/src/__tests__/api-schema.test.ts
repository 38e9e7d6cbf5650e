import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSchema, isInputObjectType, isInterfaceType, isObjectType, parse, type DirectiveNode, type GraphQLNamedType } from 'graphql';
import { readApiSchema } from '../../tools/api-schema';

const supergraph = readFileSync(
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../schema/supergraph.graphql'),
  'utf8',
);

/** The supergraph's `@inaccessible` elements, as type names and `Type.field` coordinates. */
function inaccessibleIn(sdl: string): { types: string[]; fields: string[] } {
  const hidden = (node: { directives?: readonly DirectiveNode[] }) => (node.directives ?? []).some((d) => d.name.value === 'inaccessible');
  const types: string[] = [];
  const fields: string[] = [];
  for (const definition of parse(sdl).definitions) {
    if (!('name' in definition) || !definition.name) continue;
    if ('directives' in definition && hidden(definition)) types.push(definition.name.value);
    if (!('fields' in definition)) continue;
    for (const field of definition.fields ?? []) if (hidden(field)) fields.push(`${definition.name.value}.${field.name.value}`);
  }
  return { types, fields };
}

const fieldsOf = (type: GraphQLNamedType | undefined) =>
  type && (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) ? type.getFields() : {};

describe('the playground schema (schema/api.graphql, the public API)', () => {
  const sdl = readApiSchema();
  const schema = buildSchema(sdl);

  it('keeps the public operations', () => {
    const query = schema.getQueryType()!.getFields();
    const mutation = schema.getMutationType()!.getFields();
    expect(Object.keys(query)).toEqual(expect.arrayContaining(['clinics', 'clinic', 'globalTemplates', 'me']));
    expect(Object.keys(mutation)).toEqual(expect.arrayContaining(['login', 'createClinic', 'suspendClinic', 'provisionClinicAdmin']));
    expect(isObjectType(schema.getType('ClinicOverview'))).toBe(true);
  });

  it('drops @inaccessible types, fields and the federation plumbing', () => {
    const query = schema.getQueryType()!.getFields();
    const mutation = schema.getMutationType()!.getFields();
    expect(query.clinicInfo).toBeUndefined();
    expect(query.authKeyIds).toBeUndefined();
    expect(mutation.clearSecondFactors).toBeUndefined();
    expect(schema.getType('ClinicInfo')).toBeUndefined();
    expect(schema.getType('ClinicAccess')).toBeUndefined();
    expect(query.identities).toBeUndefined();
    expect(mutation.upsertOperatorProfile).toBeUndefined();
    const names = Object.keys(schema.getTypeMap());
    expect(names.filter((n) => n.startsWith('join__') || n.startsWith('link__'))).toEqual([]);
    expect(schema.getDirectives().map((d) => d.name)).not.toContain('inaccessible');
    expect(sdl).not.toMatch(/@inaccessible|@join__|@link/);
  });

  it('leaves out every @inaccessible element of the supergraph', () => {
    const { types, fields } = inaccessibleIn(supergraph);
    expect(fields.length).toBeGreaterThan(0);
    expect(types.filter((name) => schema.getType(name))).toEqual([]);
    expect(
      fields.filter((coordinate) => {
        const [type, field] = coordinate.split('.') as [string, string];
        return field in fieldsOf(schema.getType(type));
      }),
    ).toEqual([]);
  });
});
