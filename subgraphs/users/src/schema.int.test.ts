import { assertMigratedMatchesSchema } from '@clinicult/db';

test('the database migrated from prisma/users/migrations matches prisma/users/schema.prisma', async () => {
  await assertMigratedMatchesSchema({ service: 'users' });
});
