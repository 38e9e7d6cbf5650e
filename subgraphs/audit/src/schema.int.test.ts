import { assertMigratedMatchesSchema, createTestDatabase, mysqlQuery } from '@clinicult/db';

test('the database migrated from prisma/audit/migrations matches prisma/audit/schema.prisma', async () => {
  await expect(assertMigratedMatchesSchema({ service: 'audit' })).resolves.toBeUndefined();
});

test('the migrations also install the append-only triggers (Prisma does not model them)', async () => {
  const db = await createTestDatabase('audit');
  try {
    const triggers = await mysqlQuery<{ name: string; timing: string; event: string; tableName: string }>(
      db.url,
      'SELECT TRIGGER_NAME AS name, ACTION_TIMING AS timing, EVENT_MANIPULATION AS event, EVENT_OBJECT_TABLE AS tableName ' +
        'FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ? ORDER BY TRIGGER_NAME',
      [db.name],
    );
    expect(triggers).toEqual([
      { name: 'AuditEvent_no_delete', timing: 'BEFORE', event: 'DELETE', tableName: 'AuditEvent' },
      { name: 'AuditEvent_no_update', timing: 'BEFORE', event: 'UPDATE', tableName: 'AuditEvent' },
    ]);
  } finally {
    await db.drop();
  }
});
