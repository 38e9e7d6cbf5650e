import { assertMigratedMatchesSchema } from '@clinicult/db';

test('the database migrated from prisma/patients/migrations matches prisma/patients/schema.prisma', async () => {
  await assertMigratedMatchesSchema({ service: 'patients' });
});
