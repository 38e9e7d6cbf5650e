import { Kind, visit, type DocumentNode } from 'graphql';
import * as generated from '../__generated__/graphql';

// schema/codegen.mjs writes every fragment spread out: the gateway's depth and cost limits count a
// spread as one more level, so an operation must reach it as its fields.
describe('the generated operations (src/operations/*.graphql)', () => {
  const operations = Object.entries(generated).filter(([name]) => name.endsWith('Document')) as [string, DocumentNode][];

  it('are there', () => {
    expect(operations.map(([name]) => name)).toEqual(expect.arrayContaining(['ClinicDocument', 'ClinicsDocument', 'OperatorLoginDocument']));
  });

  it('carry no fragment spreads and no fragment definitions', () => {
    const spread = operations.filter(([, document]) => {
      let found = document.definitions.some((d) => d.kind === Kind.FRAGMENT_DEFINITION);
      visit(document, { FragmentSpread: () => void (found = true) });
      return found;
    });
    expect(spread.map(([name]) => name)).toEqual([]);
  });
});
