import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSchema, isObjectType } from 'graphql';
import { apiSchemaSdl } from '../../tools/api-schema';

const supergraph = readFileSync(
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../schema/supergraph.graphql'),
  'utf8',
);

describe('the playground schema (public API from the supergraph)', () => {
  const schema = buildSchema(apiSchemaSdl(supergraph));

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
    expect(mutation.setClinicAccess).toBeUndefined();
    expect(mutation.upsertCredential).toBeUndefined();
    expect(schema.getType('ClinicInfo')).toBeUndefined();
    expect(schema.getType('ClinicAccess')).toBeUndefined();
    expect(mutation.sendInvitation).toBeUndefined();
    expect(mutation.upsertOperatorProfile).toBeUndefined();
    const names = Object.keys(schema.getTypeMap());
    expect(names.filter((n) => n.startsWith('join__') || n.startsWith('link__'))).toEqual([]);
    expect(schema.getDirectives().map((d) => d.name)).not.toContain('inaccessible');
    // every @inaccessible element of the supergraph is gone
    const sdl = apiSchemaSdl(supergraph);
    expect(sdl).not.toMatch(/@inaccessible|@join__|@link/);
  });
});
