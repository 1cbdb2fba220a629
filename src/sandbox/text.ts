/**
 * Text analysis shared by the index and the query side, so both agree on what a token is.
 *
 * A token is a run of characters between separators (whitespace and `|,;:!?"'()[]{}<>/\=-`), lowercased,
 * with leading/trailing `.&_*~^` trimmed. `+` and `#` stay inside tokens so `C++` and `C#` are searchable,
 * and inner dots stay so `node.js` is one token (`.NET` becomes `net` on both sides).
 */
const SEPARATORS = /[\s|,;:!?"'()[\]{}<>/\\=-]+/;
const TRIM = /^[.&_*~^]+|[.&_*~^]+$/g;

export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.toLowerCase().split(SEPARATORS)) {
    const token = raw.replace(TRIM, '');
    if (token !== '') out.push(token);
  }
  return out;
}

const HTML_FIELDS = new Set(['html_job_description']);

/** The searchable strings of one field value: arrays give one per element; objects and nulls give none. */
export function valueTexts(field: string, value: unknown): string[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value.flatMap((item) => valueTexts(field, item));
  if (typeof value === 'string') return [HTML_FIELDS.has(field) ? stripHtml(value) : value];
  if (typeof value === 'number' || typeof value === 'boolean') return [String(value)];
  return [];
}

function stripHtml(html: string): string {
  return html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** Phrase form of a token list: matching `' a b '` inside `' x a b y '` is a word-aligned phrase match. */
export function phraseForm(tokens: readonly string[]): string {
  return ` ${tokens.join(' ')} `;
}
