// request-validator (Kong Enterprise): config schema source (built into schemas/plugins/request-validator.json by
// `npm run gen:schemas`). `priority` is declared here only: the runtime reads it from the built schema.
// Kong 3.11 added the draft6, draft7, draft201909 and draft202012 validators; array_length_compat is in
// Kong's 3.12+ schemas (a bugfix release of each line: 3.12.0.9, 3.13.0.7, 3.14.0.5; also backported to
// 3.10.0.11, which the 3.10 profile, mirroring 3.10's schema, does not have).
import { KONG_REFERENCE, arr, bool, el, elRec, enumOf, pluginConfig, set, since, str } from '../../../../schemas/src/dsl.mjs';

export const name = 'request-validator';
export const priority = 999;

const STYLES = ['form', 'spaceDelimited', 'pipeDelimited', 'deepObject', 'simple', 'label', 'matrix'];

function parameter() {
  return elRec({
    in: str('Where the parameter is.', { required: true, one_of: ['query', 'header', 'path'] }),
    name: str('Parameter name (a header name, a query argument, or a named capture of the route path).', { required: true }),
    required: bool('Whether the parameter must be present.', { required: true }),
    style: str('How the value is serialized (OpenAPI 3 styles).', { one_of: STYLES }),
    explode: bool('Whether arrays and objects are serialized as separate parameters (OpenAPI 3 explode).'),
    schema: str('JSON Schema (draft 4) of the value, as a JSON string; it must have a top-level type.'),
  }, { checks: [{ mutually_required: ['style', 'explode', 'schema'] }] });
}

/** The config schema for Kong version `kong`. */
export function schema(kong = KONG_REFERENCE) {
  const later = since(kong, '3.12') ? {
    array_length_compat: bool('`minLength`/`maxLength` also bound arrays, by item count (for legacy draft 4 schemas written without `minItems`/`maxItems`).', { default: true }),
  } : {};
  return pluginConfig(name, priority, 'Validates request bodies and parameters against schemas (Kong Enterprise).', {
    body_schema: str("Schema of the request body, as a JSON string: a JSON Schema, or Kong's own field list (version kong)."),
    parameter_schema: arr('Parameters to validate.', parameter()),
    allowed_content_types: set('Content types allowed for a body; parameters (charset…) must match too.', el('string'), {
      default: ['application/json'],
    }),
    version: str('Validator of body_schema: kong (Kong\'s schema format) or a JSON Schema draft.', {
      required: true, default: 'kong', ...enumOf(['kong', 'draft4'], { draft6: '3.11', draft7: '3.11', draft201909: '3.11', draft202012: '3.11' }),
    }),
    verbose_response: bool('Say what failed in the 400 answer.', { required: true, default: false }),
    content_type_parameter_validation: bool('Compare the parameters of the Content-Type (charset…) with allowed_content_types.', {
      required: true, default: true,
    }),
    ...later,
  }, [{ at_least_one_of: ['body_schema', 'parameter_schema'] }]);
}
