import { SetMetadata } from '@nestjs/common';

/**
 * Who may write. Reads are public; every mutation needs a key with a role: `writer` keys record
 * purchases, `admin` keys do everything writers do plus catalogue edits and retraining.
 */
export enum Role {
  Writer = 'writer',
  Admin = 'admin',
}

export const REQUIRED_ROLE = Symbol('REQUIRED_ROLE');

/** The role a resolver (class or method) needs. A mutation without one needs `admin`. */
export const RequireRole = (role: Role) => SetMetadata(REQUIRED_ROLE, role);
