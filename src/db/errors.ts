/** PostgreSQL error codes the services act on (https://www.postgresql.org/docs/current/errcodes-appendix.html). */
export const PG_ERROR = {
  uniqueViolation: '23505',
  foreignKeyViolation: '23503',
  checkViolation: '23514',
  notNullViolation: '23502',
  insufficientPrivilege: '42501',
  serializationFailure: '40001',
  deadlockDetected: '40P01',
} as const;

interface PostgresError {
  code: string;
  constraint?: string;
}

function asPostgresError(error: unknown): PostgresError | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const { code } = error as { code: unknown };
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return undefined;
  const constraint = (error as { constraint?: unknown }).constraint;
  return { code, ...(typeof constraint === 'string' ? { constraint } : {}) };
}

/** True for a unique-constraint violation, optionally of the named constraint or index. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const pgError = asPostgresError(error);
  if (pgError?.code !== PG_ERROR.uniqueViolation) return false;
  return constraint === undefined || pgError.constraint === constraint;
}

/** True for a foreign-key violation (a referenced row does not exist). */
export function isForeignKeyViolation(error: unknown): boolean {
  return asPostgresError(error)?.code === PG_ERROR.foreignKeyViolation;
}

/** True for errors a transaction may simply retry (serialization failure, deadlock). */
export function isRetryableTransactionError(error: unknown): boolean {
  const code = asPostgresError(error)?.code;
  return code === PG_ERROR.serializationFailure || code === PG_ERROR.deadlockDetected;
}

/** The SQLSTATE of a database error, if it is one. */
export function postgresErrorCode(error: unknown): string | undefined {
  return asPostgresError(error)?.code;
}

/**
 * True for PostgreSQL's class 22, data exceptions: a value the database could not take as its type
 * (NUL in text 22021/22P05, a date out of range 22008, a bad number 22003, bad text 22P02). Raised
 * by what a client sent, so it is the client's error; the message quotes the value, so never log it.
 */
export function isDataException(error: unknown): boolean {
  return asPostgresError(error)?.code.startsWith('22') ?? false;
}
