/**
 * A shallow copy that is then edited (properties added) on the request path.
 *
 * `{ ...o }` followed by a new property, and `{ ...o, k: v }`, give the copy a hidden class (V8 map)
 * of its own on every call in Node 20's V8: no transition is cached from a spread clone, so each
 * request paid for new maps (`Map::CopyWithField`, IC misses) and every later `for…in` and
 * `JSON.stringify` of the object took V8's slow path (measured with callgrind: ~13 k instructions
 * per ai-proxy request in `mergeModelOptions` alone). `Object.assign({}, o)` starts from the empty
 * literal's map, whose transitions are cached, so same-shaped requests share maps.
 *
 * Same own enumerable properties in the same order (symbols too) as the spread; an own
 * `__proto__` property (JSON.parse makes one from `{"__proto__": …}`) would hit the setter of
 * Object.assign's target, so such an object is spread instead.
 */
export function editableCopy<T extends object>(o: T): T {
  return Object.hasOwn(o, '__proto__') ? { ...o } : Object.assign({}, o);
}
