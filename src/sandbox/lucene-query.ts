import lucene, { type AST, type Node, type NodeRangedTerm, type NodeTerm } from 'lucene';
import { ALL_FIELDS, type Bits, type JobIndex, and, andNot, or } from './job-index.js';
import { QueryError } from './query-error.js';
import { matchRange } from './range.js';
import { tokenize } from './text.js';

/**
 * Evaluates a Lucene query string (parsed by the `lucene` package) with the classic Lucene parser's
 * boolean semantics and default operator OR:
 * - `a b` / `a OR b`: at least one; `a AND b`, `+a`: required; `NOT a`, `-a`, `!a`: excluded.
 *   As in Lucene, `a AND b OR c` makes a and b required and c optional (no operator precedence).
 *   A query made only of exclusions matches every record not excluded (as Elasticsearch does).
 * - Unquoted term without wildcards: analysed with `tokenize`; one token matches records whose field has
 *   that token (whole-word, case-insensitive: `engineer` does not match `engineering`); a term that
 *   analyses to several tokens (`C++/Java`, `foo\ bar`) is matched as a phrase.
 * - Quoted phrase: its tokens must appear contiguously, case-insensitively, within one field value.
 * - `*` and `?` wildcards: case-insensitive, anchored, matched against every token and every whole value
 *   of the field (`San*` matches "San Francisco"). `*` alone matches every record; `field:*` means the
 *   field exists (bare `*` matches all even with a default_field). `_exists_:field` is supported too.
 * - Backslash escapes make the next character literal (`C\+\+` is the term `C++`, `\*` a literal star).
 * - `field:term`, `field:(a OR b)` and `field:[a TO b]` / `{a TO b}` (with `*` for an open end) are honoured.
 * - Regular expressions, fuzzy (`~`) and proximity (`"a b"~2`) searches are rejected with 400.
 */
export function matchQueryString(index: JobIndex, query: string, fields: readonly string[] | null, where: string): Bits {
  let ast: AST;
  try {
    ast = lucene.parse(query);
  } catch (error) {
    throw new QueryError(`${where}: cannot parse query: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!('left' in ast)) {
    if ('operator' in ast) throw new QueryError(`${where}: cannot parse query: operator without terms`);
    return index.none(); // empty query: no hits, as Elasticsearch answers
  }
  return new Evaluator(index, where).ast(ast, fields ?? [ALL_FIELDS]);
}

type Occur = 'must' | 'should' | 'must_not';
interface Item {
  node: AST | Node;
  conj: 'and' | 'or' | null;
  mod: 'req' | 'not' | null;
}

class Evaluator {
  constructor(
    private readonly index: JobIndex,
    private readonly where: string,
  ) {}

  ast(ast: AST, fields: readonly string[]): Bits {
    const clauses: { occur: Occur; node: AST | Node }[] = [];
    for (const item of flatten(ast)) {
      const previous = clauses[clauses.length - 1];
      if (previous && item.conj === 'and' && previous.occur !== 'must_not') previous.occur = 'must';
      let occur: Occur = item.mod === 'not' ? 'must_not' : item.mod === 'req' ? 'must' : 'should';
      if (item.conj === 'and' && item.mod !== 'not') occur = 'must';
      clauses.push({ occur, node: item.node });
    }
    const hasMust = clauses.some((c) => c.occur === 'must');
    const hasShould = clauses.some((c) => c.occur === 'should');
    let result = hasMust || !hasShould ? this.index.all() : this.index.none();
    for (const clause of clauses) {
      if (clause.occur === 'should' && hasMust) continue; // optional clauses only score in Lucene
      const bits = this.node(clause.node, fields);
      if (clause.occur === 'must') result = and(result, bits);
      else if (clause.occur === 'must_not') result = andNot(result, bits);
      else result = or(result, bits);
    }
    return result;
  }

  private node(node: AST | Node, fields: readonly string[]): Bits {
    if ('left' in node) return this.ast(node, node.field !== undefined && node.field !== '<implicit>' ? [node.field] : fields);
    const targets = node.field === '<implicit>' ? fields : [node.field];
    if ('term_min' in node) return this.range(node, targets);
    return this.term(node, targets);
  }

  private range(node: NodeRangedTerm, targets: readonly string[]): Bits {
    const field = targets[0];
    if (targets.length !== 1 || field === undefined || field === ALL_FIELDS) {
      throw new QueryError(`${this.where}: a range in a query string needs a field name`);
    }
    const min = node.term_min === '*' ? undefined : unescapeTerm(node.term_min);
    const max = node.term_max === '*' ? undefined : unescapeTerm(node.term_max);
    const lowInclusive = node.inclusive === 'both' || node.inclusive === 'left';
    const highInclusive = node.inclusive === 'both' || node.inclusive === 'right';
    if (min === undefined && max === undefined) return this.index.exists(field);
    return matchRange(this.index, field, { [lowInclusive ? 'gte' : 'gt']: min, [highInclusive ? 'lte' : 'lt']: max }, this.where);
  }

  private term(node: NodeTerm, targets: readonly string[]): Bits {
    if (node.regex) throw new QueryError(`${this.where}: regular expressions are not supported`);
    if (node.similarity != null) throw new QueryError(`${this.where}: fuzzy search (~) is not supported`);
    if ('proximity' in node && node.proximity != null) throw new QueryError(`${this.where}: proximity search (~) is not supported`);
    if (targets.length === 1 && targets[0] === '_exists_') return this.index.exists(unescapeTerm(node.term));
    if (!node.quoted && node.term === '*') {
      return node.field === '<implicit>' ? this.index.all() : this.index.exists(node.field);
    }
    if (node.quoted) {
      const tokens = tokenize(unescapeTerm(node.term));
      return this.any(targets, (f) => this.index.matchPhrase(f, tokens));
    }
    const pattern = wildcardPattern(node.term);
    if (pattern) return this.any(targets, (f) => this.index.matchPattern(f, pattern));
    const tokens = tokenize(unescapeTerm(node.term));
    if (tokens.length === 1 && tokens[0] !== undefined) {
      const token = tokens[0];
      return this.any(targets, (f) => this.index.matchToken(f, token));
    }
    return this.any(targets, (f) => this.index.matchPhrase(f, tokens));
  }

  private any(fields: readonly string[], match: (field: string) => Bits): Bits {
    let out = this.index.none();
    for (const field of fields) out = or(out, match(field));
    return out;
  }
}

/** The parser nests `a OP b OP c` to the right; unroll that chain into Lucene's flat clause list. */
function flatten(ast: AST): Item[] {
  const items: Item[] = [];
  let current: AST = ast;
  let conj: Item['conj'] = null;
  let mod: Item['mod'] = 'start' in current && current.start === 'NOT' ? 'not' : null;
  for (;;) {
    items.push(item(current.left, conj, mod));
    if (!('right' in current)) return items;
    [conj, mod] = operator(current.operator);
    const right: AST | Node = current.right;
    if ('left' in right && !right.parenthesized && right.field === undefined) {
      if ('start' in right && right.start === 'NOT') mod = 'not';
      current = right;
      continue;
    }
    items.push(item(right, conj, mod));
    return items;
  }
}

function item(node: AST | Node, conj: Item['conj'], mod: Item['mod']): Item {
  const prefix = 'prefix' in node ? node.prefix : null;
  if (prefix === '-' || prefix === '!') return { node, conj, mod: 'not' };
  if (prefix === '+' && mod === null) return { node, conj, mod: 'req' };
  return { node, conj, mod };
}

function operator(op: string): [Item['conj'], Item['mod']] {
  switch (op) {
    case 'AND':
    case '&&':
      return ['and', null];
    case 'OR':
    case '||':
      return ['or', null];
    case 'NOT':
      return [null, 'not'];
    case 'AND NOT':
      return ['and', 'not'];
    case 'OR NOT':
      return ['or', 'not'];
    default:
      return [null, null];
  }
}

/** Drops escaping backslashes: `\x` is the literal `x`. */
function unescapeTerm(term: string): string {
  return term.replace(/\\(.)/g, '$1');
}

/** An anchored, lowercase RegExp for a term with unescaped `*`/`?`, or null when it has none. */
function wildcardPattern(term: string): RegExp | null {
  let source = '';
  let wild = false;
  for (let i = 0; i < term.length; i++) {
    const ch = term[i] ?? '';
    if (ch === '\\' && i + 1 < term.length) {
      source += escapeRegExp((term[++i] ?? '').toLowerCase());
    } else if (ch === '*' || ch === '?') {
      source += ch === '*' ? '.*' : '.';
      wild = true;
    } else {
      source += escapeRegExp(ch.toLowerCase());
    }
  }
  return wild ? new RegExp(`^${source}$`, 's') : null;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
