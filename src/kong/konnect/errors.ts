/**
 * Konnect's error bodies, parsed into one shape:
 * - core entities (gRPC gateway): `{code, message, details:[{@type, type, field?, messages[]}]}`;
 *   `code 3` with `message: "validation error"` or `"data constraint error"` (Kong/go-kong#398,
 *   Kong/deck#932, kong-operator error fixtures), `code 7` usage constraint (403), `code 5` not found;
 * - platform APIs (control planes, organizations): problem+json
 *   `{status, title, detail, instance, invalid_parameters:[{field, reason, rule?}]}`;
 * - legacy `{message}` and `{message, status}` (401 on core entities).
 */
export interface KonnectDetail {
  /** `ERROR_TYPE_FIELD`, `ERROR_TYPE_ENTITY`, `ERROR_TYPE_REFERENCE`, or absent. */
  type?: string;
  /** Dotted path in the entity (`config.redis.host`, `paths[0]`), absent for the entity as a whole. */
  field?: string;
  messages: string[];
}

export interface KonnectError {
  /** `validation error`, `data constraint error`, a problem title, or the legacy message. */
  message: string;
  code?: number;
  details: KonnectDetail[];
}

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : []);

/** go-kong#398: some fields come back as `value.<field>`. */
export function cleanField(field: string): string {
  return field.replace(/^value\./, '');
}

/** The structured error in a Konnect answer body, or null when it has none. */
export function parseKonnectError(body: unknown): KonnectError | null {
  if (!isObj(body)) return null;
  if (Array.isArray(body.details) && typeof body.message === 'string') {
    const details: KonnectDetail[] = [];
    for (const d of body.details) {
      if (!isObj(d)) continue;
      const messages = strings(d.messages ?? d.message);
      const field = typeof d.field === 'string' && d.field !== '' ? cleanField(d.field) : undefined;
      details.push({ type: typeof d.type === 'string' ? d.type : undefined, field, messages });
    }
    return { message: body.message, code: typeof body.code === 'number' ? body.code : undefined, details };
  }
  if (typeof body.title === 'string' || typeof body.detail === 'string') {
    const invalid = Array.isArray(body.invalid_parameters) ? body.invalid_parameters.filter(isObj) : [];
    const details = invalid.map((p) => ({
      type: 'ERROR_TYPE_FIELD',
      field: typeof p.field === 'string' ? p.field : undefined,
      messages: strings(p.reason),
    }));
    const title = typeof body.title === 'string' ? body.title : '';
    const detail = typeof body.detail === 'string' ? body.detail : '';
    return { message: [title, detail].filter((x) => x !== '').join(': '), details };
  }
  if (typeof body.message === 'string') return { message: body.message, details: [] };
  return null;
}

/** One line: `validation error: port: must be <= 65535 but found 70000; …`. */
export function describeKonnectError(e: KonnectError): string {
  const parts = e.details.flatMap((d) => d.messages.map((m) => (d.field === undefined ? m : `${d.field}: ${m}`)));
  return parts.length === 0 ? e.message : `${e.message}: ${parts.join('; ')}`;
}
