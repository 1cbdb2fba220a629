import { gql } from './http.js';

interface IntrospectedType {
  kind: string;
  name: string | null;
  ofType: IntrospectedType | null;
}
interface IntrospectedField {
  name: string;
  args: { type: IntrospectedType }[];
  type: IntrospectedType;
}

const TYPE_REF = 'kind name ofType { kind name ofType { kind name ofType { kind name } } }';

function named(t: IntrospectedType): IntrospectedType {
  return t.ofType ? named(t.ofType) : t;
}

/** A selection of every field of `typeName` (objects expanded to `depth` levels), read from the live schema. */
export async function everyField(url: string, typeName: string, depth = 2): Promise<string> {
  const r = await gql(url, `query ($n: String!) { __type(name: $n) { fields { name args { type { ${TYPE_REF} } } type { ${TYPE_REF} } } } }`, { n: typeName });
  const fields = ((r.body.data?.__type as { fields: IntrospectedField[] } | null)?.fields ?? []).filter((f) => f.args.every((a) => a.type.kind !== 'NON_NULL'));
  const parts: string[] = [];
  for (const f of fields) {
    const t = named(f.type);
    if (t.kind === 'OBJECT' || t.kind === 'INTERFACE') {
      if (depth > 1 && t.name) parts.push(`${f.name} { ${await everyField(url, t.name, depth - 1)} }`);
    } else {
      parts.push(f.name);
    }
  }
  return parts.join(' ');
}
