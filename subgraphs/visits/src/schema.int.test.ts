import { assertMigratedMatchesSchema } from '@clinicult/db';

test('the database migrated from prisma/visits/migrations matches prisma/visits/schema.prisma', async () => {
  await assertMigratedMatchesSchema({ service: 'visits' });
});
