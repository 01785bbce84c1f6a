import type { SignedInOperator } from '../auth/operator-session';
import { html, type Html } from './html';

export interface PageContext {
  operator?: SignedInOperator;
  csrfToken: string;
}

const SECTIONS = [
  ['/', 'Overview'],
  ['/failures', 'Failed messages'],
  ['/flow', 'Flow'],
  ['/catalog', 'Event catalog'],
  ['/outbox', 'Outbox'],
  ['/audit', 'Audit log'],
] as const;

/**
 * Every page: the navigation, who is logged in, and the CSRF token that htmx sends with every
 * request it makes (forms carry it as a field as well).
 */
export function page(title: string, context: PageContext, body: Html, active = ''): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · shop console</title>
<link rel="stylesheet" href="/assets/console.css">
<script src="/assets/htmx.min.js"></script>
</head>
<body hx-headers='${JSON.stringify({ 'x-csrf-token': context.csrfToken })}'>
<header>
  <strong class="brand">shop console</strong>
  ${
    context.operator
      ? html`<nav>${SECTIONS.map(([href, label]) => html`<a href="${href}" class="${active === href ? 'active' : ''}">${label}</a>`)}</nav>
  <form method="post" action="/logout" class="who">
    <span>${context.operator.who} (${context.operator.role})</span>
    <input type="hidden" name="_csrf" value="${context.csrfToken}">
    <button type="submit">Log out</button>
  </form>`
      : ''
  }
</header>
<main>
<h1>${title}</h1>
${body}
</main>
</body>
</html>`;
}

/** A hidden CSRF field for a plain form. */
export const csrfField = (context: PageContext) => html`<input type="hidden" name="_csrf" value="${context.csrfToken}">`;

export function formatTime(date: Date | string | null | undefined): string {
  if (!date) return '–';
  const value = typeof date === 'string' ? new Date(date) : date;
  return value.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

