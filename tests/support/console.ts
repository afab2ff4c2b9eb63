import type { Express } from 'express';
import request from 'supertest';

/** The CSRF token of a page's form. */
export function csrfOf(html: string): string {
  return /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
}

/** A browser-like agent signed in to the console, with the CSRF token of its forms. */
export async function signedInAgent(app: Express, email: string, password: string) {
  const agent = request.agent(app);
  const form = await agent.get('/console/sign-in');
  const csrf = csrfOf(form.text);
  await agent.post('/console/sign-in').type('form').send({ email, password, _csrf: csrf }).expect(303);
  // Once signed in, forms carry the session's own token (the sign-in form's is for anonymous forms).
  const home = await agent.get('/console').expect(200);
  return { agent, csrf: csrfOf(home.text) };
}
