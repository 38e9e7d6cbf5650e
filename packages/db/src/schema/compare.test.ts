import { compareSchema } from './compare.js';
import type { DatabaseSchema, TableSchema } from './types.js';

const table = (overrides: Partial<TableSchema> = {}): TableSchema => ({
  name: 'posts',
  columns: [
    { name: 'id', type: 'int', nullable: false, default: null, autoIncrement: true },
    { name: 'author_id', type: 'int', nullable: false, default: null, autoIncrement: false },
    { name: 'price', type: 'decimal(10,2)', nullable: false, default: { kind: 'value', value: '1.5' }, autoIncrement: false },
  ],
  primaryKey: ['id'],
  indexes: [],
  foreignKeys: [
    {
      name: 'posts_author_id_fkey',
      columns: ['author_id'],
      referencedTable: 'users',
      referencedColumns: ['id'],
      onDelete: 'RESTRICT',
      onUpdate: 'CASCADE',
    },
  ],
  collation: 'utf8mb4_unicode_ci',
  ...overrides,
});
const db = (source: DatabaseSchema['source'], ...tables: TableSchema[]): DatabaseSchema => ({ source, tables });

describe('compareSchema', () => {
  it('finds nothing between equal structures, allowing MySQL/MariaDB reporting differences', () => {
    const actual = table({
      columns: table().columns.map((c) => (c.name === 'price' ? { ...c, default: { kind: 'value', value: '1.50' } } : c)),
      // InnoDB's implicit index for the foreign key is not a difference
      indexes: [
        { name: 'posts_author_id_fkey', unique: false, kind: 'btree', columns: [{ name: 'author_id', order: 'asc', length: null }] },
      ],
      foreignKeys: [{ ...table().foreignKeys[0]!, onDelete: 'NO ACTION' }],
    });
    expect(compareSchema(db('prisma', table()), db('mariadb', actual))).toEqual([]);
  });

  it('reports index and foreign-key names unless told not to', () => {
    const expected = table({
      indexes: [{ name: 'posts_author_id_idx', unique: false, kind: 'btree', columns: [{ name: 'author_id', order: 'asc', length: null }] }],
    });
    const actual = table({
      indexes: [{ name: 'by_author', unique: false, kind: 'btree', columns: [{ name: 'author_id', order: 'asc', length: null }] }],
      foreignKeys: [{ ...table().foreignKeys[0]!, name: 'fk1' }],
    });
    expect(compareSchema(db('prisma', expected), db('mysql', actual))).toEqual([
      "posts: index `by_author` (author_id) should be named `posts_author_id_idx` (as in schema.prisma / Prisma's default)",
      "posts: foreign key `fk1` (author_id) → users(id) should be named `posts_author_id_fkey` (as in schema.prisma / Prisma's default)",
    ]);
    expect(compareSchema(db('prisma', expected), db('mysql', actual), { compareNames: false })).toEqual([]);
  });

  it('describes every other kind of difference', () => {
    const expected = db(
      'prisma',
      table({
        indexes: [
          { name: 'posts_price_idx', unique: false, kind: 'btree', columns: [{ name: 'price', order: 'desc', length: null }] },
        ],
      }),
      table({ name: 'gone' }),
    );
    const actual = db(
      'mariadb',
      table({
        columns: [
          { name: 'id', type: 'int', nullable: false, default: null, autoIncrement: false },
          { name: 'author_id', type: 'bigint', nullable: true, default: null, autoIncrement: false },
          { name: 'price', type: 'decimal(10,2)', nullable: false, default: null, autoIncrement: false },
          { name: 'extra', type: 'text', nullable: true, default: null, autoIncrement: false },
        ],
        primaryKey: ['id', 'author_id'],
        indexes: [
          { name: 'posts_price_idx', unique: false, kind: 'btree', columns: [{ name: 'price', order: 'asc', length: null }] },
          { name: 'posts_extra_key', unique: true, kind: 'btree', columns: [{ name: 'extra', order: 'asc', length: 10 }] },
        ],
        foreignKeys: [{ ...table().foreignKeys[0]!, onDelete: 'CASCADE' }],
        collation: 'utf8mb4_general_ci',
      }),
      table({ name: 'stray' }),
    );
    expect(compareSchema(expected, actual)).toEqual([
      'posts.id: AUTO_INCREMENT is missing in the database (schema.prisma has @default(autoincrement()))',
      'posts.author_id: type is bigint in the database, expected int',
      'posts.author_id: column is NULL in the database but required (NOT NULL) in schema.prisma',
      "posts.price: no default in the database, expected DEFAULT '1.5'",
      'posts.extra: column exists in the database but not in schema.prisma',
      'posts: primary key is (id, author_id) in the database, expected (id)',
      'posts: index `posts_price_idx` (price DESC) differs in the database: it is index `posts_price_idx` (price)',
      'posts: unique index `posts_extra_key` (extra(10)) exists in the database but not in schema.prisma',
      'posts: foreign key `posts_author_id_fkey` (author_id) → users(id) is ON DELETE CASCADE in the database, expected ON DELETE RESTRICT',
      'posts: table collation is utf8mb4_general_ci in the database, expected utf8mb4_unicode_ci',
      'gone: table is missing in the database',
      'stray: table exists in the database but not in schema.prisma',
    ]);
  });
});
