/**
 * A User entity reference: the users subgraph resolves it (subgraphs that store only a user's id
 * answer their `User` fields with it).
 */
export const userRef = (id: string) => ({ __typename: 'User' as const, id });

/** `userRef`, or null where no one is recorded (a visit without a doctor yet). */
export const optionalUserRef = (id: string | null | undefined) => (id ? userRef(id) : null);
