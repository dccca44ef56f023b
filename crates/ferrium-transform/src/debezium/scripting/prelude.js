// Helpers the Rust binding uses to show records to expressions the way Debezium's
// Graal.js binding does. Evaluated once per transform, before the expression is compiled;
// reachable as the read-only global `__ferrium`.
(function () {
  'use strict';
  const hasOwn = Object.prototype.hasOwnProperty;

  // A Struct: its fields are plain properties (as Debezium's ProxyObject shows them), and
  // `get(name)` answers as Struct#get does, for expressions written against raw Structs
  // (Debezium hands structs inside arrays over unproxied). Non-enumerable, so
  // `Object.keys` and `JSON.stringify` see the fields only.
  const structProto = {};
  // Writable, or an assignment could not give a struct a field named `get`.
  Object.defineProperty(structProto, 'get', {
    writable: true,
    value: function get(name) {
      if (hasOwn.call(this, name)) {
        return this[name];
      }
      throw new Error(name + ' is not a valid field name');
    },
  });

  // The maker of one struct schema's objects, its field names compiled in once: objects
  // made alike share QuickJS's shapes, and no field name is looked up per record.
  const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
  function structMaker(names) {
    const params = names.map((_, i) => 'a' + i);
    const sets = names.map((n, i) => {
      // `o.__proto__ = x` would set the prototype, not a field.
      if (n === '__proto__') return 'define(o, "__proto__", { value: a' + i + ', enumerable: true, writable: true, configurable: true });';
      return (IDENTIFIER.test(n) ? 'o.' + n : 'o[' + JSON.stringify(n) + ']') + ' = a' + i + ';';
    });
    const source = 'return function (' + params.join(', ') + ') { const o = create(P); ' + sets.join(' ') + ' return o; };';
    const make = new Function('create', 'define', 'P', source)(Object.create, Object.defineProperty, structProto);
    // QuickJS shares a shape between objects built alike only while some object has it,
    // and every object of a record is freed before the next: objects with each prefix of
    // the fields are kept, so each record's objects find their shapes already made.
    if (names.length <= MAX_KEPT_SHAPES) {
      const keep = [];
      for (let k = 1; k <= names.length; k++) {
        const o = Object.create(structProto);
        for (let i = 0; i < k; i++) {
          Object.defineProperty(o, names[i], { value: undefined, enumerable: true, writable: true, configurable: true });
        }
        keep.push(o);
      }
      // Held by the maker, so they go when the maker is dropped from the cache.
      make.keep = keep;
    }
    return make;
  }
  const MAX_KEPT_SHAPES = 128;

  // A Map: its entries are properties, and `get(key)` answers as Map#get does.
  const mapProto = {};
  Object.defineProperty(mapProto, 'get', {
    writable: true,
    value: function get(key) {
      return hasOwn.call(this, key) ? this[key] : null;
    },
  });

  // Schema.Type: `type().getName()` is 'struct', `type().name()` and `String(type())`
  // are 'STRUCT', as Java's enum answers.
  const PRIMITIVE = ['int8', 'int16', 'int32', 'int64', 'float32', 'float64', 'boolean', 'string', 'bytes'];
  const TYPES = {};
  for (const t of PRIMITIVE.concat(['array', 'map', 'struct'])) {
    const upper = t.toUpperCase();
    const primitive = PRIMITIVE.includes(t);
    TYPES[t] = Object.freeze({
      name: () => upper,
      getName: () => t,
      isPrimitive: () => primitive,
      toString: () => upper,
    });
  }

  function field(name, index, schema) {
    const text = 'Field{name=' + name + ', index=' + index + ', schema=' + schema + '}';
    return Object.freeze({
      name: () => name,
      index: () => index,
      schema: () => schema,
      toString: () => text,
    });
  }

  // A Connect schema from the plain description the binding builds: the methods of
  // Kafka's ConnectSchema that expressions call.
  function schema(d) {
    const type = TYPES[d.type];
    const fields = d.fields === null ? null : d.fields.map((f, i) => field(f.name, i, schema(f.schema)));
    const byName = new Map(fields === null ? [] : fields.map((f) => [f.name(), f]));
    const items = d.items === null ? null : schema(d.items);
    const keys = d.keys === null ? null : schema(d.keys);
    const values = d.values === null ? null : schema(d.values);
    const text = 'Schema{' + (d.name === null ? '' : d.name + ':') + type + '}';
    const s = {
      name: () => d.name,
      type: () => type,
      isOptional: () => d.optional,
      version: () => d.version,
      doc: () => d.doc,
      parameters: () => d.parameters,
      defaultValue: () => d.defaultValue,
      fields() {
        if (fields === null) throw new Error('Cannot list fields on non-struct type');
        return fields.slice();
      },
      field(name) {
        if (fields === null) throw new Error('Cannot look up fields on non-struct type');
        return byName.has(name) ? byName.get(name) : null;
      },
      keySchema() {
        if (keys === null) throw new Error('Cannot look up key schema on non-map type');
        return keys;
      },
      valueSchema() {
        if (values !== null) return values;
        if (items !== null) return items;
        throw new Error('Cannot look up value schema on non-array and non-map type');
      },
      schema: () => s,
      toString: () => text,
    };
    return Object.freeze(s);
  }

  const helpers = {
    structProto,
    mapProto,
    schema,
    structMaker,
    // Struct makers and schema objects, by the index the Rust side keeps per schema.
    makers: [],
    date: (millis) => new Date(millis),
    schemas: [],
    install(run) {
      Object.defineProperty(helpers, 'run', { value: run });
    },
  };
  Object.defineProperty(globalThis, '__ferrium', { value: helpers });
})();
