import type { z } from 'zod';
import { errors, type FieldIssue } from './errors';

/** Parses input with a schema; a failure becomes a 400 naming each field and its reason. */
export function validate<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw errors.validation(toFieldIssues(parsed.error));
}

/** Turns zod issues into stable field/reason pairs that the locales can translate. */
export function toFieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue): FieldIssue => {
    const field = issue.path.map(String).join('.') || '(body)';
    switch (issue.code) {
      case 'invalid_type':
        return issue.input === undefined ? { field, reason: 'required' } : { field, reason: 'invalid_type' };
      case 'too_small':
        return issue.origin === 'string' && Number(issue.minimum) <= 1
          ? { field, reason: 'required' }
          : { field, reason: 'too_small', params: { minimum: Number(issue.minimum) } };
      case 'too_big':
        return { field, reason: 'too_big', params: { maximum: Number(issue.maximum) } };
      case 'invalid_value':
        return { field, reason: 'not_allowed' };
      case 'invalid_format':
        return { field, reason: 'invalid_format' };
      case 'unrecognized_keys':
        return { field: issue.keys.map((key) => [...issue.path.map(String), key].join('.')).join(', '), reason: 'unknown_field' };
      default:
        return { field, reason: issue.message === 'Invalid input' ? 'invalid' : issue.message };
    }
  });
}
