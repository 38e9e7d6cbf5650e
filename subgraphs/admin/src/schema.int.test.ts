import { assertMigratedMatchesSchema } from '@clinicult/db';

test('the database migrated from prisma/admin/migrations matches prisma/admin/schema.prisma', async () => {
  await expect(assertMigratedMatchesSchema({ service: 'admin' })).resolves.toBeUndefined();
});
