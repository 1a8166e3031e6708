import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildApiSchema, renderSchema } from './app.schema';

describe('schema.gql', () => {
  it('is the schema the code generates (run `npm run eran -- schema` after changing a model)', async () => {
    const committed = readFileSync(join(__dirname, '..', 'schema.gql'), 'utf8');
    expect(renderSchema(await buildApiSchema())).toBe(committed);
  });
});
