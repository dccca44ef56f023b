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
  Object.defineProperty(structProto, 'get', {
    value: function get(name) {
      if (hasOwn.call(this, name)) {
        return this[name];
      }
      throw new Error(name + ' is not a valid field name');
    },
  });

  // A Map: its entries are properties, and `get(key)` answers as Map#get does.
  const mapProto = {};
  Object.defineProperty(mapProto, 'get', {
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
    date: (millis) => new Date(millis),
    // Schema objects by the index the Rust side keeps per schema.
    schemas: [],
    install(run) {
      Object.defineProperty(helpers, 'run', { value: run });
    },
  };
  Object.defineProperty(globalThis, '__ferrium', { value: helpers });
})();
