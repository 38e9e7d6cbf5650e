import { assertMigratedMatchesSchema } from '@clinicult/db';

test('the database migrated from prisma/clinic/migrations matches prisma/clinic/schema.prisma', async () => {
  await assertMigratedMatchesSchema({ service: 'clinic' });
});
