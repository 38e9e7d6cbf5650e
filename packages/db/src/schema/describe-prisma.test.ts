import { FIXTURE_SCHEMA } from '../__tests__/helpers.js';
import { describePrismaSchema, describePrismaSchemaText, relationConstraintNames } from './describe-prisma.js';
import { foreignKeyName, nonUniqueIndexName, uniqueIndexName } from './naming.js';

describe('describePrismaSchema (getDMMF, offline)', () => {
  it('derives tables, MySQL types, defaults, keys, indexes and foreign keys', async () => {
    const schema = await describePrismaSchema(FIXTURE_SCHEMA);
    expect(schema.source).toBe('prisma');
    expect(schema.tables.map((t) => t.name)).toEqual([
      '_ClinicToSpecialty',
      'clinics',
      'patient_tags',
      'patients',
      'referrals',
      'specialties',
    ]);
    const patients = schema.tables.find((t) => t.name === 'patients')!;
    const col = (name: string) => patients.columns.find((c) => c.name === name);
    expect(col('id')).toEqual({ name: 'id', type: 'varchar(36)', nullable: false, default: null, autoIncrement: false });
    expect(col('email')).toMatchObject({ type: 'varchar(191)', nullable: true });
    expect(col('birth_date')).toMatchObject({ type: 'date', nullable: true });
    expect(col('status')).toMatchObject({
      type: "enum('ACTIVE','INACTIVE','deceased')",
      default: { kind: 'value', value: 'ACTIVE' },
    });
    expect(col('notes')!.type).toBe('text');
    expect(col('history')!.type).toBe('longtext');
    expect(col('extra')).toMatchObject({ type: 'json', nullable: true });
    expect(col('visit_count')).toMatchObject({ type: 'int', default: { kind: 'value', value: '0' } });
    expect(col('weight_grams')!.type).toBe('bigint');
    expect(col('balance')).toMatchObject({ type: 'decimal(10,2)', default: { kind: 'value', value: '0' } });
    expect(col('deceased')).toMatchObject({ type: 'tinyint(1)', default: { kind: 'value', value: '0' } });
    expect(col('created_at')).toMatchObject({ type: 'datetime(3)', default: { kind: 'now' } });
    expect(col('updated_at')).toMatchObject({ type: 'datetime(3)', default: null, nullable: false });
    expect(patients.primaryKey).toEqual(['id']);
    expect(patients.collation).toBe('utf8mb4_unicode_ci');
    expect(patients.indexes).toEqual(
      expect.arrayContaining([
        {
          name: 'patients_clinic_id_mrn_key',
          unique: true,
          kind: 'btree',
          columns: [
            { name: 'clinic_id', order: 'asc', length: null },
            { name: 'mrn', order: 'asc', length: null },
          ],
        },
        {
          name: 'patients_clinic_id_created_at_idx',
          unique: false,
          kind: 'btree',
          columns: [
            { name: 'clinic_id', order: 'asc', length: null },
            { name: 'created_at', order: 'desc', length: null },
          ],
        },
      ]),
    );
    expect(patients.indexes).toHaveLength(3);
    expect(patients.foreignKeys).toEqual([
      {
        name: 'patients_clinic_id_fkey',
        columns: ['clinic_id'],
        referencedTable: 'clinics',
        referencedColumns: ['id'],
        onDelete: 'RESTRICT',
        onUpdate: 'CASCADE',
      },
    ]);

    const tags = schema.tables.find((t) => t.name === 'patient_tags')!;
    expect(tags.columns[0]).toEqual({ name: 'id', type: 'bigint', nullable: false, default: null, autoIncrement: true });
    expect(tags.indexes.map((i) => i.name)).toEqual(['patient_tags_patient_tag_uq']);
    expect(tags.foreignKeys[0]).toMatchObject({ name: 'patient_tags_patient_id_fkey', onDelete: 'CASCADE' });

    const referrals = schema.tables.find((t) => t.name === 'referrals')!;
    expect(referrals.columns.find((c) => c.name === 'priority')).toMatchObject({ type: 'tinyint', default: { kind: 'value', value: '3' } });
    expect(referrals.columns.find((c) => c.name === 'score')).toMatchObject({ type: 'double', nullable: true });
    expect(referrals.foreignKeys[0]).toMatchObject({ name: 'referrals_patient_fk', onDelete: 'SET NULL', onUpdate: 'CASCADE' });

    const join = schema.tables.find((t) => t.name === '_ClinicToSpecialty')!;
    expect(join.columns.map((c) => `${c.name} ${c.type}`)).toEqual(['A varchar(36)', 'B int']);
    expect(join.indexes.map((i) => i.name)).toEqual(['_ClinicToSpecialty_AB_unique', '_ClinicToSpecialty_B_index']);
    expect(join.foreignKeys.map((f) => `${f.name}→${f.referencedTable}`)).toEqual([
      '_ClinicToSpecialty_A_fkey→clinics',
      '_ClinicToSpecialty_B_fkey→specialties',
    ]);
  });

  it('honours native types, @@id, fulltext, relationMode = "prisma" and literal defaults', async () => {
    const schema = await describePrismaSchemaText(`
      datasource db {
        provider     = "mysql"
        relationMode = "prisma"
      }
      model Thing {
        a     String   @db.Char(3)
        b     Int      @db.UnsignedInt
        c     DateTime @default("2024-05-06T07:08:09.123Z") @db.Timestamp(0)
        d     Decimal
        e     Bytes?
        f     Float    @default(1.5) @db.Float
        g     Boolean  @default(true)
        h     String   @default(dbgenerated("(uuid())")) @db.VarChar(36)
        i     String   @default("it's") @db.VarChar(20)
        owner Owner    @relation(fields: [b], references: [id])

        @@id([a, b])
        @@fulltext([i])
        @@index([i(length: 5)], map: "short_i")
      }
      model Owner {
        id     Int     @id @db.UnsignedInt
        things Thing[]
      }
    `);
    const thing = schema.tables.find((t) => t.name === 'Thing')!;
    expect(thing.columns.map((c) => [c.name, c.type, c.default])).toEqual([
      ['a', 'char(3)', null],
      ['b', 'int unsigned', null],
      ['c', 'timestamp', { kind: 'value', value: '2024-05-06 07:08:09' }],
      ['d', 'decimal(65,30)', null],
      ['e', 'longblob', null],
      ['f', 'float', { kind: 'value', value: '1.5' }],
      ['g', 'tinyint(1)', { kind: 'value', value: '1' }],
      ['h', 'varchar(36)', { kind: 'expression', sql: '(uuid())' }],
      ['i', 'varchar(20)', { kind: 'value', value: "it's" }],
    ]);
    expect(thing.primaryKey).toEqual(['a', 'b']);
    expect(thing.indexes).toEqual([
      { name: 'short_i', unique: false, kind: 'btree', columns: [{ name: 'i', order: 'asc', length: 5 }] },
      { name: 'Thing_i_idx', unique: false, kind: 'fulltext', columns: [{ name: 'i', order: 'asc', length: null }] },
    ]);
    expect(thing.foreignKeys).toEqual([]); // relationMode = "prisma": no foreign keys in the database
  });

  it('reports schema errors from getDMMF', async () => {
    await expect(describePrismaSchemaText('model X { id Int @id\n nope Nope }')).rejects.toThrow(/Nope/);
  });
});

describe('Prisma default names', () => {
  it('follows <table>_<columns>_<suffix> and truncates to 64 bytes', () => {
    expect(uniqueIndexName('users', ['email'])).toBe('users_email_key');
    expect(nonUniqueIndexName('patients', ['clinic_id', 'created_at'])).toBe('patients_clinic_id_created_at_idx');
    expect(foreignKeyName('Post', ['authorId'])).toBe('Post_authorId_fkey');
    const long = nonUniqueIndexName('historic_visits', ['clinic_id', 'patient_id', 'finished_at', 'diagnosis_code']);
    expect(long).toBe('historic_visits_clinic_id_patient_id_finished_at_diagnosis_c_idx');
    expect(Buffer.byteLength(long)).toBe(64);
    expect(foreignKeyName('x'.repeat(70), ['y'])).toBe('x'.repeat(59) + '_fkey');
  });

  it('reads @relation(map:) names, which DMMF leaves out', () => {
    const names = relationConstraintNames(`
      model A {
        id  Int @id
        bId Int // a comment with @relation(map: "ignored")
        b   B   @relation(fields: [bId], references: [id], map: "a_b_fk", onDelete: Cascade)
        c   C?  @relation("named", fields: [cId], references: [id])
        cId Int?
      }
    `);
    expect([...names]).toEqual([['A.b', 'a_b_fk']]);
  });
});
