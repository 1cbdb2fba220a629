import { XMLBuilder } from 'fast-xml-parser';

/** A response the sandbox will write; `records` is what the request log counts. */
export interface Reply {
  status: number;
  contentType: string;
  body: string;
  headers?: Record<string, string>;
  records: number;
}

export type Format = 'json' | 'xml';

const JSON_TYPE = 'application/json; charset=utf-8';
const XML_TYPE = 'application/xml; charset=utf-8';
const xml = new XMLBuilder({ ignoreAttributes: true, suppressEmptyNode: false, format: false });

export function jsonReply(status: number, payload: unknown, records = 0): Reply {
  return { status, contentType: JSON_TYPE, body: JSON.stringify(payload), records };
}

export function errorReply(status: number, message: string, headers?: Record<string, string>): Reply {
  return { ...jsonReply(status, { status: 'error', message }), ...(headers ? { headers } : {}) };
}

export const NO_DATA = { status: 'no_data', message: 'No data found.' } as const;

/**
 * XML per contract §5: root `<response>` holding the same fields as elements; `job_data` holds `<job>`
 * elements; any other array repeats its element (`<inferred_skills>` per skill, `<aggregations>` per bucket).
 */
export function xmlReply(payload: Record<string, unknown>, records = 0): Reply {
  const { job_data: jobs, ...rest } = payload;
  const response = Array.isArray(jobs) ? { ...rest, job_data: { job: jobs } } : rest;
  return {
    status: 200,
    contentType: XML_TYPE,
    body: `<?xml version="1.0" encoding="UTF-8"?>${String(xml.build({ response }))}`,
    records,
  };
}

/** A 200 answer in the asked format; errors are always JSON. */
export function okReply(format: Format, payload: Record<string, unknown>, records = 0): Reply {
  return format === 'xml' ? xmlReply(payload, records) : jsonReply(200, payload, records);
}
