import type { NextFunction, Request, Response } from 'express';
import { errors, type FieldIssue } from './errors';

// Checks that hold for every route, so that no schema can forget them: a path that decodes, and
// no NUL character anywhere in the query or the body. PostgreSQL's text cannot hold NUL (it
// raises 22021, and jsonb 22P05), and no person types one.

/** Refuses a path whose percent-encoding does not decode (`/cases/%FF`), before any route sees it. */
export function rejectMalformedPath(req: Request, _res: Response, next: NextFunction): void {
  try {
    decodeURIComponent(req.path);
  } catch {
    throw errors.malformedUrl();
  }
  next();
}

const NUL = '\u0000';
/** Deeper than any form or API body; a deeper body is refused rather than walked. */
const MAX_DEPTH = 32;

/** The fields of a parsed query or body whose names or text hold a NUL character. */
export function fieldsWithNul(input: unknown): string[] {
  const found: string[] = [];
  // Iterative, so a 64 kB body of nested arrays cannot exhaust the stack.
  const pending: { value: unknown; path: string[] }[] = [{ value: input, path: [] }];
  while (pending.length > 0 && found.length < 10) {
    const next = pending.pop();
    if (next === undefined) break;
    const { value, path } = next;
    if (typeof value === 'string') {
      if (value.includes(NUL)) found.push(path.join('.') || '(body)');
    } else if (typeof value === 'object' && value !== null) {
      if (path.length >= MAX_DEPTH) continue;
      for (const [key, child] of Object.entries(value)) {
        const childPath = [...path, key.replaceAll(NUL, '\uFFFD')];
        if (key.includes(NUL)) found.push(childPath.join('.'));
        else pending.push({ value: child, path: childPath });
      }
    }
  }
  return found;
}

/** Throws a 400 naming each field of the inputs that holds a NUL character (for bodies parsed later, e.g. multipart). */
export function refuseNulCharacters(...inputs: unknown[]): void {
  const fields = inputs.flatMap((input) => fieldsWithNul(input));
  if (fields.length === 0) return;
  const issues: FieldIssue[] = [...new Set(fields)].map((field) => ({ field, reason: 'nul_character' }));
  throw errors.validation(issues);
}

/** Refuses a request with a NUL character in its query or body, naming each field that holds one. */
export function rejectNulCharacters(req: Request, _res: Response, next: NextFunction): void {
  refuseNulCharacters(req.query, req.body);
  next();
}
