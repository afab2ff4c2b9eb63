import type { TFunction } from 'i18next';
import { AppError, type FieldIssue } from '../http/errors';
import { html, type SafeHtml } from '../http/html';

// A refused console form comes back on its own page with the reason beside it, rather than as
// an error page: the caseworker sees what to change next to what they were doing.

/** Why a form was refused: the form, and one message per field (null: about the whole form). */
export interface FormProblem {
  form: string;
  messages: { field: string | null; message: string }[];
  /** What the form held, to put back in its fields. */
  values?: Record<string, string>;
}

/** Answers a person can act on by changing the form; anything else goes to the error page. */
const SHOWN_BESIDE_FORM = new Set([400, 403, 409]);

/**
 * One refused field in the reader's words: the page's own wording for the reason
 * (`<pageKey>.<reason>`) if it has one, else the shared one (`errors:field.<reason>`), else `fallback`.
 */
export function issueMessage(t: TFunction, issue: FieldIssue, pageKey: string, fallback: string = t('errors:field.invalid')): string {
  const shared = t(`errors:field.${issue.reason}`, { ...issue.params, defaultValue: fallback });
  return t(`${pageKey}.${issue.reason}`, { ...issue.params, defaultValue: shared });
}

/** The problem to show beside a form for an error, or undefined when the error is not one to show there. */
export function formProblemOf(error: unknown, t: TFunction, form: string, values: Record<string, string> = {}): FormProblem | undefined {
  if (!(error instanceof AppError) || !SHOWN_BESIDE_FORM.has(error.status)) return undefined;
  const general = t(`console:problem.${error.code}`, { defaultValue: t(`errors:code.${error.code}`) });
  if (error.issues.length === 0) return { form, values, messages: [{ field: null, message: general }] };
  return {
    form,
    values,
    messages: error.issues.map((issue) => ({
      field: issue.field,
      message: issueMessage(t, issue, 'console:problem', general),
    })),
  };
}

/** The messages about one field of a form (none when the problem is about another form). */
export function messagesFor(problem: FormProblem | undefined, form: string, field: string): string[] {
  if (!problem || problem.form !== form) return [];
  return problem.messages.filter((item) => item.field === field).map((item) => item.message);
}

/** The error beside a field, with the id its input names in aria-describedby; empty when there is none. */
export function fieldError(problem: FormProblem | undefined, form: string, field: string, id: string): SafeHtml {
  const messages = messagesFor(problem, form, field);
  return messages.length === 0 ? html`` : html`<p class="field-error" id="${id}">${messages.join(' ')}</p>`;
}

/** The messages of a form's problem that belong to none of the fields it shows, above its button. */
export function formError(problem: FormProblem | undefined, form: string, fields: readonly string[]): SafeHtml {
  if (!problem || problem.form !== form) return html``;
  const messages = problem.messages.filter((item) => item.field === null || !fields.includes(item.field)).map((item) => item.message);
  return messages.length === 0 ? html`` : html`<p class="field-error">${messages.join(' ')}</p>`;
}

/** Whether a form has any problem (to mark it and announce it). */
export function hasProblem(problem: FormProblem | undefined, form: string): boolean {
  return problem !== undefined && problem.form === form;
}
