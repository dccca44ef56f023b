//! Field paths as Kafka's `SingleFieldPath` reads them (KIP-821): `V1` names one
//! top-level field whatever it contains; `V2` splits on dots, with backticks around a
//! name that contains dots (`` `a.b`.c ``) and a backslash before a backtick that is part
//! of a wrapped name.

use std::sync::Arc;

use ferrium_event::{Schema, SchemaType, Value};

use super::struct_fields::or_default;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FieldSyntax {
    V1,
    V2,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct SingleFieldPath {
    steps: Vec<String>,
}

impl SingleFieldPath {
    pub(super) fn parse(path: &str, syntax: FieldSyntax) -> Result<SingleFieldPath, String> {
        let steps = match syntax {
            FieldSyntax::V1 => vec![path.to_string()],
            FieldSyntax::V2 => steps_v2(path)?,
        };
        Ok(SingleFieldPath { steps })
    }

    /// A V2 path read from the empty string has no steps and names nothing.
    pub(super) fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    #[cfg(test)]
    pub(super) fn steps(&self) -> &[String] {
        &self.steps
    }

    /// The schema of the field at the path; `None` when a step is missing or the path
    /// has no steps. A step into a non-struct is an error, as Connect's `Schema.field` is.
    pub(super) fn field_schema<'a>(
        &self,
        schema: &'a Arc<Schema>,
    ) -> Result<Option<&'a Arc<Schema>>, String> {
        let mut current = schema;
        for step in &self.steps {
            if current.kind != SchemaType::Struct {
                return Err("Cannot look up fields on non-struct type".to_string());
            }
            match current.field_index(step) {
                Some(i) => current = &current.fields[i].schema,
                None => return Ok(None),
            }
        }
        Ok((!self.steps.is_empty()).then_some(current))
    }

    /// Moves the value at the path out of a struct value; a null on the way gives null.
    /// `with_default` decides whether a null leaf takes its schema default; nulls on the
    /// way always do (Kafka reads them with `Struct.get`).
    pub(super) fn take_value(&self, schema: &Schema, value: Value, with_default: bool) -> Value {
        let mut schema = schema;
        let mut value = value;
        let last = self.steps.len().saturating_sub(1);
        for (depth, step) in self.steps.iter().enumerate() {
            let Some(index) = schema.field_index(step) else {
                return Value::Null;
            };
            let field_schema = &schema.fields[index].schema;
            let Value::Struct(mut values) = value else {
                return Value::Null;
            };
            if index >= values.len() {
                return Value::Null;
            }
            let taken = values.swap_remove(index);
            value = or_default(taken, field_schema, with_default || depth < last);
            schema = field_schema;
        }
        value
    }
}

fn incomplete_backticks(path: &str, at: usize) -> String {
    format!(
        "Incomplete backtick pair in path: [{path}], consider adding a backslash before backtick at position {at} to escape it"
    )
}

/// Kafka's V2 reading, step for step: a step starting with a backtick runs to the next
/// backtick that is followed by a dot or ends the path and is not escaped.
fn steps_v2(path: &str) -> Result<Vec<String>, String> {
    let chars: Vec<char> = path.chars().collect();
    let find = |c: char, from: usize| {
        chars
            .iter()
            .skip(from)
            .position(|&x| x == c)
            .map(|p| p + from)
    };
    let text = |from: usize, to: usize| chars[from..to].iter().collect::<String>();
    let mut steps = Vec::new();
    let mut idx = 0;
    while idx < chars.len() {
        if chars[idx] != '`' {
            match find('.', idx) {
                Some(dot) => {
                    steps.push(text(idx, dot));
                    idx = dot + 1;
                }
                None => {
                    steps.push(text(idx, chars.len()));
                    idx = chars.len();
                }
            }
            continue;
        }
        let opening = idx;
        idx += 1;
        let mut start = idx;
        let mut field = String::new();
        loop {
            let Some(close) = find('`', idx) else {
                return Err(incomplete_backticks(path, opening));
            };
            idx = close;
            let escaped = chars[idx - 1] == '\\';
            if idx >= chars.len() - 1 {
                if escaped {
                    return Err(incomplete_backticks(path, opening));
                }
                field.push_str(&text(start, idx));
                steps.push(std::mem::take(&mut field));
                idx += 1;
                break;
            }
            if chars[idx + 1] != '.' {
                // A backtick inside the name: keep looking for the closing one.
                idx += 1;
                continue;
            }
            if escaped {
                field.push_str(&text(start, idx - 1));
                field.push('`');
                idx += 1;
                start = idx;
                continue;
            }
            field.push_str(&text(start, idx));
            steps.push(std::mem::take(&mut field));
            idx += 2;
            break;
        }
    }
    if path.ends_with('.') {
        steps.push(String::new());
    }
    Ok(steps)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v2(path: &str) -> Vec<String> {
        SingleFieldPath::parse(path, FieldSyntax::V2)
            .unwrap()
            .steps()
            .to_vec()
    }

    #[test]
    fn v1_is_always_one_step() {
        for path in ["foo.bar.baz", "foo`bar`", "foo.`bar.baz`"] {
            assert_eq!(
                SingleFieldPath::parse(path, FieldSyntax::V1)
                    .unwrap()
                    .steps(),
                [path]
            );
        }
    }

    #[test]
    fn v2_splits_on_dots_and_keeps_empty_names() {
        assert_eq!(v2(".."), ["", "", ""]);
        assert_eq!(v2("foo.."), ["foo", "", ""]);
        assert_eq!(v2(".bar."), ["", "bar", ""]);
        assert_eq!(v2("..baz"), ["", "", "baz"]);
        assert!(v2("").is_empty());
        assert_eq!(v2("foobarbaz"), ["foobarbaz"]);
        assert_eq!(v2("foo.bar.baz"), ["foo", "bar", "baz"]);
        assert_eq!(v2("foo`bar`baz"), ["foo`bar`baz"]);
    }

    #[test]
    fn v2_backticks_wrap_names_with_dots() {
        assert_eq!(v2("`foo.bar.baz`"), ["foo.bar.baz"]);
        assert_eq!(v2("foo.`bar.baz`"), ["foo", "bar.baz"]);
        assert_eq!(v2("`foo.bar`.baz"), ["foo.bar", "baz"]);
        assert_eq!(v2("foo.`bar`.baz"), ["foo", "bar", "baz"]);
        assert_eq!(v2("foo.``bar.baz`"), ["foo", "`bar.baz"]);
        assert_eq!(v2("foo.`bar.baz``"), ["foo", "bar.baz`"]);
        assert_eq!(v2("foo.`ba`r.baz`"), ["foo", "ba`r.baz"]);
        assert_eq!(v2("foo.ba`r.baz"), ["foo", "ba`r", "baz"]);
        assert_eq!(v2("foo.``bar``.baz"), ["foo", "`bar`", "baz"]);
        assert_eq!(v2("``foo.bar.baz``"), ["`foo.bar.baz`"]);
    }

    #[test]
    fn v2_escapes_backticks_with_a_backslash() {
        assert_eq!(v2("foo.`bar\\`.baz`"), ["foo", "bar`.baz"]);
        assert_eq!(v2("foo.`bar.`baz`"), ["foo", "bar.`baz"]);
        assert_eq!(v2("foo.`bar\\`.`baz`"), ["foo", "bar`.`baz"]);
        assert_eq!(v2("foo.`bar\\\\`.\\`baz`"), ["foo", "bar\\`.\\`baz"]);
    }

    #[test]
    fn v2_refuses_an_unclosed_backtick() {
        let err = |p: &str| SingleFieldPath::parse(p, FieldSyntax::V2).unwrap_err();
        assert_eq!(
            err("`foo.bar.baz"),
            "Incomplete backtick pair in path: [`foo.bar.baz], consider adding a backslash before backtick at position 0 to escape it"
        );
        assert!(err("foo.`bar.baz").contains("position 4"));
        assert!(err("foo.bar.`baz").contains("position 8"));
        assert!(err("foo.bar.`baz\\`").contains("position 8"));
    }

    fn nested() -> Arc<Schema> {
        let baz = Schema::record("baz")
            .field("inner", Schema::of(SchemaType::String))
            .optional();
        let bar = Schema::record("bar")
            .field("bar", Schema::of(SchemaType::Int32))
            .field("baz", baz);
        Arc::new(Schema::record("root").field("foo", bar))
    }

    #[test]
    fn finds_fields_and_values_in_nested_structs() {
        let schema = nested();
        let path = |p: &str| SingleFieldPath::parse(p, FieldSyntax::V2).unwrap();
        assert_eq!(
            path("foo.bar").field_schema(&schema).unwrap().unwrap().kind,
            SchemaType::Int32
        );
        assert_eq!(
            path("foo")
                .field_schema(&schema)
                .unwrap()
                .unwrap()
                .name
                .as_deref(),
            Some("bar")
        );
        for missing in ["un.known", "foo.unknown", "unknown"] {
            assert!(
                path(missing).field_schema(&schema).unwrap().is_none(),
                "{missing}"
            );
        }
        assert!(path("foo.bar.deeper").field_schema(&schema).is_err());
        let value = Value::Struct(vec![Value::Struct(vec![Value::Int32(42), Value::Null])]);
        assert_eq!(
            path("foo.bar").take_value(&schema, value.clone(), true),
            Value::Int32(42)
        );
        assert_eq!(
            path("foo.baz").take_value(&schema, value.clone(), true),
            Value::Null
        );
        for missing in ["un.known", "foo.unknown", "unknown", "foo.baz.inner"] {
            assert_eq!(
                path(missing).take_value(&schema, value.clone(), true),
                Value::Null,
                "{missing}"
            );
        }
    }

    #[test]
    fn a_null_on_the_way_takes_its_default_whatever_the_option() {
        let inner = Schema::record("inner")
            .field("leaf", Schema::of(SchemaType::Int32).optional())
            .optional()
            .default_value(serde_json::json!({"leaf": 7}));
        let schema = Schema::record("root").field("inner", inner);
        let path = SingleFieldPath::parse("inner.leaf", FieldSyntax::V2).unwrap();
        let value = Value::Struct(vec![Value::Null]);
        assert_eq!(path.take_value(&schema, value, false), Value::Int32(7));
    }
}
